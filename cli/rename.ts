import { cloneOrRenameCommand } from "./clone.ts";

/** `limactl rename OLDINST NEWINST`. */
export function renameCommand() {
  return cloneOrRenameCommand("rename", "Rename an instance of Lima");
}
