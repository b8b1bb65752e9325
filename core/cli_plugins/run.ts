/** Running a CLI plugin as `limactl NAME` does (Lima's `Plugin.Run`). */
import { errorMessage, LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import type { CLIPlugin } from "./discover.ts";
import { pluginPath } from "./plugin_dirs.ts";

/**
 * Runs PLUGIN with ARGS, stdio inherited and PATH set to the plugin directories, and
 * returns its exit code for `limactl` to exit with. A plugin killed by a signal gives 255,
 * the status Lima exits with then (Go reports the code as -1).
 */
export async function runPlugin(
  plugin: CLIPlugin,
  args: string[],
): Promise<number> {
  let status: Deno.CommandStatus;
  try {
    status = await new Deno.Command(plugin.path, {
      args,
      env: { PATH: pluginPath() },
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
  } catch (err) {
    throw new LimaError({
      summary: `external command ${quote(plugin.path)} failed`,
      detail: errorMessage(err),
    }, { cause: err });
  }
  return status.signal ? 255 : status.code;
}
