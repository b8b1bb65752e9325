import { Command } from "@commander-js/extra-typings";

/** `limactl factory-reset [INSTANCE]`. */
export function factoryResetCommand() {
  return new Command("factory-reset")
    .usage("INSTANCE")
    .summary("Factory reset an instance of Lima")
    .argument("[instance]")
    .action(async (name) => {
      const { factoryResetInstance } = await import(
        "../core/lifecycle/factory_reset.ts"
      );
      await factoryResetInstance(name);
    });
}
