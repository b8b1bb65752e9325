import { Command } from "@commander-js/extra-typings";

/** `limactl unprotect INSTANCE...`. */
export function unprotectCommand() {
  return new Command("unprotect")
    .usage("INSTANCE [INSTANCE, ...]")
    .summary("Unprotect an instance")
    .argument("<instance...>")
    .action(async (names) => {
      const { unprotectInstances } = await import(
        "../core/lifecycle/protect.ts"
      );
      await unprotectInstances(names);
    });
}
