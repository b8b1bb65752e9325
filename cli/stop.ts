import { Command } from "@commander-js/extra-typings";

/** `limactl stop [INSTANCE...]`. */
export function stopCommand() {
  return new Command("stop")
    .usage("INSTANCE [INSTANCE, ...]")
    .summary("Stop an instance")
    .argument("[instance...]")
    .option("-f, --force", "Force stop the instance")
    .action(async (names, opts) => {
      const { stopInstances } = await import("../core/lifecycle/stop.ts");
      await stopInstances(names.length > 0 ? names : ["default"], {
        force: opts.force,
      });
    });
}
