import type { Command } from "@commander-js/extra-typings";
import tab from "@bomb.sh/tab/commander";

/**
 * Adds `limactl completion bash|zsh|fish|powershell` (and the hidden `complete`
 * command the generated scripts call back into) for the whole command tree.
 * Must run after every other command is registered.
 */
export function addCompletion(program: Command): void {
  // tab is typed against plain commander; the extra-typings Command is the same class at run time.
  tab(program as unknown as Parameters<typeof tab>[0], {
    completionCommandName: "completion",
  });
}
