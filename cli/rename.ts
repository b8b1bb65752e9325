import { cloneOrRenameCommand } from "./clone.ts";
import type { Wiring } from "./wiring.ts";

/** `limactl rename OLDINST NEWINST`. */
export function renameCommand(wiring: Wiring) {
  return cloneOrRenameCommand(wiring, "rename", "Rename an instance of Lima");
}
