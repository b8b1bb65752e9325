import { Command } from "@commander-js/extra-typings";
import { addEditFlags } from "./edit_flags.ts";
import type { GlobalOptions } from "./app.ts";
import type { Wiring } from "./wiring.ts";

/** `limactl restart [INSTANCE]`. */
export function restartCommand(wiring: Wiring) {
  const command = new Command("restart")
    .usage("INSTANCE")
    .summary("Restart a running instance")
    .argument("[instance]")
    .option("-f, --force", "Force stop and restart the instance")
    .option(
      "--progress",
      "Show provision script progress by tailing cloud-init logs",
    );
  return addEditFlags(command, { create: false }).action(
    async (arg, opts, cmd) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { restartInstance } = await import("../core/lifecycle/restart.ts");
      const { force, progress, ...flags } = opts;
      await restartInstance(arg || "default", {
        force,
        flags,
        drivers: await wiring.drivers(),
        progress,
        debug: globals.debug,
      });
    },
  );
}
