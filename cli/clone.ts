import { Command } from "@commander-js/extra-typings";
import { addEditFlags } from "./edit_flags.ts";
import type { GlobalOptions } from "./app.ts";
import { startRequested } from "./start_prompt.ts";
import type { Wiring } from "./wiring.ts";

/** `clone` and `rename` share their flags and their core function; only `rename` moves. */
export function cloneOrRenameCommand(
  wiring: Wiring,
  name: "clone" | "rename",
  summary: string,
  description = summary,
) {
  const command = new Command(name)
    .usage("OLDINST NEWINST")
    .summary(summary)
    .description(description)
    .argument("<oldinst>")
    .argument("<newinst>")
    .option(
      "--start",
      `Start the instance after ${name === "clone" ? "cloning" : "renaming"}`,
    );
  return addEditFlags(command, {
    create: false,
    commentPrefix: "[limactl edit] ",
  }).action(
    async (oldName, newName, opts, cmd) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { start, ...flags } = opts;
      const { cloneInstance } = await import("../core/lifecycle/clone.ts");
      await cloneInstance(oldName, newName, {
        rename: name === "rename",
        flags,
      });
      if (!startRequested(start, globals)) return;
      const { startInstance } = await import("../core/lifecycle/start.ts");
      await startInstance(newName, {
        drivers: await wiring.drivers(),
        debug: globals.debug,
      });
    },
  );
}

/** `limactl clone OLDINST NEWINST`. */
export function cloneCommand(wiring: Wiring) {
  return cloneOrRenameCommand(
    wiring,
    "clone",
    "Clone an instance of Lima",
    "Clone an instance of Lima.\n\nNot to be confused with 'limactl copy' ('limactl cp').\n",
  );
}
