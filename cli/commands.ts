import type { Command, CommandUnknownOpts } from "@commander-js/extra-typings";
import { autostartCommand } from "./autostart.ts";
import { cloneCommand } from "./clone.ts";
import { copyCommand } from "./copy.ts";
import { createCommand } from "./create.ts";
import { debugCommand } from "./debug.ts";
import { deleteCommand } from "./delete.ts";
import { diskCommand } from "./disk.ts";
import { driverCommand } from "./driver.ts";
import { editCommand } from "./edit.ts";
import { factoryResetCommand } from "./factory_reset.ts";
import { generateDocCommand } from "./generate_doc.ts";
import { generateJSONSchemaCommand } from "./generate_jsonschema.ts";
import { guestInstallCommand } from "./guest_install.ts";
import { hostAgentCommand } from "./hostagent.ts";
import { infoCommand } from "./info.ts";
import { listCommand } from "./list.ts";
import { mcpCommand } from "./mcp.ts";
import { networkCommand } from "./network.ts";
import { addPluginCommands } from "./plugin_commands.ts";
import { PLUGIN_GROUP } from "./plugin_dispatch.ts";
import { protectCommand } from "./protect.ts";
import { pruneCommand } from "./prune.ts";
import { renameCommand } from "./rename.ts";
import { restartCommand } from "./restart.ts";
import { screenshotCommand } from "./screenshot.ts";
import { shellCommand } from "./shell.ts";
import { showSSHCommand } from "./show_ssh.ts";
import { snapshotCommand } from "./snapshot.ts";
import { startCommand } from "./start.ts";
import { startAtLoginCommand } from "./start_at_login.ts";
import { stopCommand } from "./stop.ts";
import { sudoersCommand } from "./sudoers.ts";
import { templateCommand } from "./template.ts";
import { tunnelCommand } from "./tunnel.ts";
import { unprotectCommand } from "./unprotect.ts";
import { usernetCommand } from "./usernet.ts";
import { validateCommand } from "./validate.ts";
import { watchCommand } from "./watch.ts";
import { yqCommand } from "./yq.ts";
import { completionCommand } from "./completion/command.ts";
import { yqRestrictionsTopic } from "./yq_restrictions.ts";
import type { Wiring } from "./wiring.ts";
import {
  cobraHelp,
  deprecationNotice,
  isRunnable,
  setRunnable,
  withoutFlagsInUseLine,
} from "./help.ts";

/** Sub-commands by Lima's help groups (the help sorts each group by name; hidden ones last). */
function groups(wiring: Wiring): Record<string, CommandUnknownOpts[]> {
  return {
    "Basic Commands:": [
      createCommand(wiring),
      startCommand(wiring),
      stopCommand(),
      restartCommand(wiring),
      listCommand(),
      deleteCommand(),
      shellCommand(wiring),
      editCommand(wiring),
    ],
    "Advanced Commands:": [
      autostartCommand(),
      copyCommand(),
      cloneCommand(wiring),
      renameCommand(wiring),
      factoryResetCommand(),
      protectCommand(),
      unprotectCommand(),
      diskCommand(),
      infoCommand(async () => (await wiring.drivers()).list()),
      driverCommand(wiring),
      networkCommand(),
      pruneCommand(),
      screenshotCommand(),
      showSSHCommand(),
      snapshotCommand(wiring),
      sudoersCommand(),
      templateCommand(),
      tunnelCommand(),
      validateCommand(),
      watchCommand(),
      yqCommand(),
    ],
    // Lima's `limactl-mcp` is a CLI plugin; built in here, it is listed where plugins are.
    [PLUGIN_GROUP]: [mcpCommand()],
    // yq-restrictions is listed by the root help's "Additional help topics:".
    // Hidden, or deprecated (which cobra leaves out of the help and of completion too).
    hidden: [
      debugCommand(),
      generateDocCommand(),
      generateJSONSchemaCommand(),
      guestInstallCommand(),
      hostAgentCommand(wiring),
      startAtLoginCommand(),
      usernetCommand(),
      yqRestrictionsTopic(),
    ],
  };
}

/**
 * Adds every sub-command to PROGRAM and gives the whole tree the root's error handling
 * (commander does not pass `exitOverride` and output settings down by itself).
 */
export function registerCommands(program: Command, wiring: Wiring): void {
  for (const [group, commands] of Object.entries(groups(wiring))) {
    for (const command of commands) {
      if (group === "hidden") {
        // A group of their own, so that the plugins' group comes before help's.
        program.addCommand(command.helpGroup("Hidden:"), { hidden: true });
      } else {
        program.addCommand(command.helpGroup(group));
      }
    }
  }
  // Commands added from here on (completion, help) have no group: cobra lists them
  // under "Additional Commands:".
  program.helpCommand("help [command]", "Help about any command");
  program.addCommand(cobraCompletion(completionCommand()));
  addPluginCommands(program);
  program.configureHelp({ formatHelp: (cmd) => cobraHelp(cmd) });
  // cobra announces a deprecated command before parsing its flags (so with --help too), but not
  // for `limactl help COMMAND`, which commander answers without dispatching.
  program.hook("preSubcommand", (_root, command) => {
    const notice = deprecationNotice(command);
    if (notice) Deno.stderr.writeSync(new TextEncoder().encode(notice));
  });
  inheritSettings(program);
}

/**
 * What cobra's help and docs say of its completion command: it has no Run (its help shows no
 * usage line of its own), and `completion bash` has DisableFlagsInUseLine.
 */
function cobraCompletion(completion: CommandUnknownOpts): CommandUnknownOpts {
  const bash = completion.commands.find((c) => c.name() === "bash");
  if (bash) withoutFlagsInUseLine(bash);
  return completion;
}

function inheritSettings(parent: CommandUnknownOpts): void {
  for (const child of parent.commands) {
    child.exitOverride().configureOutput({ outputError: () => {} })
      .showSuggestionAfterError(true)
      .configureHelp({ formatHelp: (cmd) => cobraHelp(cmd) });
    if (child.commands.length > 0 && !isRunnable(child)) showsHelp(child);
    inheritSettings(child);
  }
}

/**
 * A command that only groups others (cobra's command without Run): given no subcommand, or an
 * argument that names none, cobra prints its help on stdout and exits 0 (only the root calls
 * an unknown name an error). Commander would print the help on stderr and fail.
 */
function showsHelp(group: CommandUnknownOpts): void {
  group.allowExcessArguments().action(() => group.outputHelp());
  setRunnable(group, false);
}
