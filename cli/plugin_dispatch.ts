/**
 * `limactl NAME ARGS…` for a CLI plugin NAME (Lima's `addPluginCommands` in
 * `cmd/limactl/main.go`). main.ts imports this statically, so it loads the parser lazily.
 */
import type { Command } from "@commander-js/extra-typings";
import { ExitCodeError } from "../core/errors.ts";
import type { GlobalOptions } from "./app.ts";

/** The help group Lima lists CLI plugins under; `addPluginCommands` puts them there. */
export const PLUGIN_GROUP = "Available Plugins (Experimental):";

/** The commands `addPluginCommands` made for plugins (built-in commands may share their group). */
const pluginCommands = new WeakSet<object>();

/** Marks COMMAND as standing for a CLI plugin, which `runPluginCommand` runs. */
export function markPluginCommand(command: Command): void {
  pluginCommands.add(command);
}

/**
 * Runs the CLI plugin ARGS name, if they name one (`limactl [GLOBAL FLAGS] NAME ARGS…` with
 * NAME a plugin command of PROGRAM, see `addPluginCommands`): the global flags before NAME
 * are applied, everything after NAME goes to the plugin verbatim, as in Lima. Returns
 * whether a plugin ran; a non-zero exit becomes an `ExitCodeError` with the plugin's code.
 */
export async function runPluginCommand(
  program: Command,
  args: string[],
): Promise<boolean> {
  const at = operandIndex(program, args);
  if (at === undefined) return false;
  const command = program.commands.find((c) => c.name() === args[at]);
  if (!command || !pluginCommands.has(command)) return false;
  const [{ applyGlobalOptions, normalizeBooleanFlags }, { findPlugin }, {
    runPlugin,
  }] = await Promise.all([
    import("./app.ts"),
    import("../core/cli_plugins/discover.ts"),
    import("../core/cli_plugins/run.ts"),
  ]);
  program.parseOptions(normalizeBooleanFlags(program, args.slice(0, at)));
  // Only logging: Lima parses nothing else for a plugin (no --tty/--yes check).
  const { debug, logLevel, logFormat } = program.opts() as GlobalOptions;
  applyGlobalOptions({ debug, logLevel, logFormat });
  const code = await runPlugin(findPlugin(args[at])!, args.slice(at + 1));
  if (code !== 0) throw new ExitCodeError(code);
  return true;
}

/**
 * Where the command name is in ARGS: the first argument that is not one of the root's flags
 * (or a flag's value); undefined when there is none or another flag comes first.
 */
function operandIndex(program: Command, args: string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return i + 1 < args.length ? i + 1 : undefined;
    if (!arg.startsWith("-") || arg === "-") return i;
    const [name, value] = arg.split(/=(.*)/s);
    const option = program.options.find((o) =>
      o.long === name || o.short === name
    );
    if (!option) return undefined;
    if (option.required && value === undefined) i++;
  }
  return undefined;
}
