import { Command } from "@commander-js/extra-typings";
import { discoverPlugins } from "../core/cli_plugins/discover.ts";
import { markPluginCommand, PLUGIN_GROUP } from "./plugin_dispatch.ts";
import { flagsNotParsed } from "./completion/tree.ts";
import { setRunnable } from "./help.ts";

/**
 * Adds, after the built-in commands, a command for each CLI plugin that none of them
 * shadows, so that help and completion list them as Lima does; `url-` plugins (template URL
 * schemes) are hidden. They only describe: `runPluginCommand` runs a plugin before
 * commander parses anything.
 */
export function addPluginCommands(program: Command): void {
  const taken = new Set(["help"]);
  for (const command of program.commands) {
    taken.add(command.name());
    for (const alias of command.aliases()) taken.add(alias);
  }
  for (const plugin of discoverPlugins()) {
    if (taken.has(plugin.name)) continue;
    const command = new Command(plugin.name)
      .description(plugin.description ?? "")
      .helpGroup(PLUGIN_GROUP)
      // As every command has (`inheritSettings`): commander's help and errors end in main.ts.
      .exitOverride()
      .configureOutput({ outputError: () => {} });
    // Its flags are the plugin's own: completion must not read them as limactl's.
    flagsNotParsed.add(command);
    markPluginCommand(command);
    // Lima's plugin commands have a Run (here `runPluginCommand` runs them).
    setRunnable(command, true);
    program.addCommand(command, { hidden: plugin.name.startsWith("url-") });
  }
}
