import { Command } from "@commander-js/extra-typings";
import { addEditFlags } from "./edit_flags.ts";
import { type GlobalOptions, isTty } from "./app.ts";

/** `limactl edit [INSTANCE|FILE.yaml]`. */
export function editCommand() {
  const command = new Command("edit")
    .summary("Edit an instance of Lima or a template")
    .argument("[instance]");
  return addEditFlags(command, { create: false }).action(
    async (arg, opts, cmd) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { editInstance } = await import("../core/lifecycle/edit.ts");
      await editInstance({ arg, flags: opts, tty: isTty(globals) });
    },
  );
}
