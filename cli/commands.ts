import type { Command } from "@commander-js/extra-typings";

/** Every sub-command, in the order `limactl help` lists them. */
export function commands(): Command[] {
  return [];
}
