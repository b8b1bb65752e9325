import { Command } from "@commander-js/extra-typings";
import { addEditFlags } from "../core/config/edit_flags.ts";
import { logger } from "../core/log.ts";
import type { GlobalOptions } from "./app.ts";

const YES_DEPRECATED =
  "--yes flag is deprecated (--tty=false is still supported and works in the same way. Also consider using --start)";

/** `limactl clone OLDINST NEWINST`. */
export function cloneCommand() {
  const command = new Command("clone")
    .summary("Clone an instance of Lima")
    .description(
      "Clone an instance of Lima.\n\nNot to be confused with 'limactl copy' ('limactl cp').",
    )
    .argument("<oldinst>")
    .argument("<newinst>");
  return addEditFlags(command, {
    create: false,
    commentPrefix: "[limactl edit] ",
  }).action(
    async (oldName, newName, opts, cmd) => {
      if ((cmd.optsWithGlobals() as GlobalOptions).yes) {
        logger.warn(YES_DEPRECATED);
      }
      const { cloneInstance } = await import("../core/lifecycle/clone.ts");
      await cloneInstance(oldName, newName, { flags: opts });
    },
  );
}
