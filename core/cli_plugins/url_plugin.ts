/** Running a `limactl-url-SCHEME` plugin for a custom template locator (Lima's `transformCustomURL`). */
import { errorMessage, LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import type { CLIPlugin } from "./discover.ts";
import { pluginPath } from "./plugin_dirs.ts";

/**
 * Runs PLUGIN with ARG (the locator after `SCHEME:`) and returns its stdout, trimmed: the
 * new locator. A failure names the command line and carries the plugin's stderr.
 */
export async function runURLPlugin(
  plugin: CLIPlugin,
  arg: string,
): Promise<string> {
  const commandLine = quote(`${plugin.path} ${arg}`);
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(plugin.path, {
      args: [arg],
      env: { PATH: pluginPath() },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    throw new LimaError({
      summary: `command ${commandLine} failed`,
      detail: errorMessage(err),
    }, { cause: err });
  }
  const decoder = new TextDecoder();
  if (!output.success) {
    const stderr = decoder.decode(output.stderr).trim();
    throw new LimaError({
      summary: `command ${commandLine} failed`,
      detail: stderr || exitStatus(output),
    });
  }
  return decoder.decode(output.stdout).trim();
}

/** How Go words a failed child without stderr. */
function exitStatus(output: Deno.CommandOutput): string {
  return output.signal
    ? `signal: ${output.signal}`
    : `exit status ${output.code}`;
}
