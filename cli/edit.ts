import { Command } from "@commander-js/extra-typings";
import { addEditFlags } from "./edit_flags.ts";
import { type GlobalOptions, isTty } from "./app.ts";
import { startRequested } from "./start_prompt.ts";
import type { Wiring } from "./wiring.ts";

/** `limactl edit [INSTANCE|FILE.yaml]`. */
export function editCommand(wiring: Wiring) {
  const command = new Command("edit")
    .usage("INSTANCE|FILE.yaml")
    .summary("Edit an instance of Lima or a template")
    .argument("[instance]")
    .option("--start", "Start the instance after editing");
  return addEditFlags(command, { create: false }).action(
    async (arg, opts, cmd) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { start, ...flags } = opts;
      const { editInstance } = await import("../core/lifecycle/edit.ts");
      const edited = await editInstance({ arg, flags, tty: isTty(globals) });
      if (!edited.instance || !edited.changed) return;
      if (!startRequested(start, globals)) return;
      const { startInstance } = await import("../core/lifecycle/start.ts");
      await startInstance(edited.instance, {
        drivers: await wiring.drivers(),
        debug: globals.debug,
      });
    },
  );
}
