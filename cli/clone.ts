import { Command } from "@commander-js/extra-typings";
import { addEditFlags } from "./edit_flags.ts";

/** `clone` and `rename` share their flags and their core function; only `rename` moves. */
export function cloneOrRenameCommand(
  name: "clone" | "rename",
  summary: string,
  description = summary,
) {
  const command = new Command(name)
    .summary(summary)
    .description(description)
    .argument("<oldinst>")
    .argument("<newinst>");
  return addEditFlags(command, {
    create: false,
    commentPrefix: "[limactl edit] ",
  }).action(
    async (oldName, newName, opts) => {
      const { cloneInstance } = await import("../core/lifecycle/clone.ts");
      await cloneInstance(oldName, newName, {
        rename: name === "rename",
        flags: opts,
      });
    },
  );
}

/** `limactl clone OLDINST NEWINST`. */
export function cloneCommand() {
  return cloneOrRenameCommand(
    "clone",
    "Clone an instance of Lima",
    "Clone an instance of Lima.\n\nNot to be confused with 'limactl copy' ('limactl cp').",
  );
}
