import { Command } from "@commander-js/extra-typings";
import { addEditFlags } from "../core/config/edit_flags.ts";
import { logger } from "../core/log.ts";
import { type GlobalOptions, isTty } from "./app.ts";

const YES_DEPRECATED =
  "--yes flag is deprecated (--tty=false is still supported and works in the same way. Also consider using --start)";

/** `limactl edit [INSTANCE|FILE.yaml]`. */
export function editCommand() {
  const command = new Command("edit")
    .summary("Edit an instance of Lima or a template")
    .argument("[instance]");
  return addEditFlags(command, { create: false }).action(
    async (arg, opts, cmd) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      if (globals.yes) logger.warn(YES_DEPRECATED);
      const { editInstance } = await import("../core/lifecycle/edit.ts");
      await editInstance({ arg, flags: opts, tty: isTty(globals) });
    },
  );
}
