/**
 * The command tree as shell completion sees it: cobra's view of commands and pflag's view of
 * flags, built from the commander tree, with what each command and flag completes attached.
 * cobra adds the same extras by itself: the root's `help` command, `-h/--help` on every
 * command and the root's `-v/--version`.
 */
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { type Completion, Directive } from "../../core/completion/directive.ts";

/** Completes a positional argument or a flag's value: the positional arguments so far, the word typed. */
export type Completer = (
  args: string[],
  toComplete: string,
) => Completion | Promise<Completion>;

export interface CompletionFlag {
  /** The long name, without dashes. */
  name: string;
  /** The one-letter short name, without the dash. */
  short?: string;
  /** Whether the flag needs a value (`--flag VALUE`); others take one only as `--flag=VALUE`. */
  needsValue: boolean;
  /** Whether it may be given again (a list), so it is still suggested once given. */
  repeatable: boolean;
  /** Whether sub-commands inherit it (the root's global flags). */
  persistent: boolean;
  hidden: boolean;
  usage: string;
  complete?: Completer;
}

export interface CompletionCommand {
  name: string;
  aliases: string[];
  /** The one-line description. */
  summary: string;
  hidden: boolean;
  /** False when flags end at the first positional argument (`limactl shell NAME ls -l`). */
  interspersed: boolean;
  /** False when the command takes its flags as arguments (cobra's `DisableFlagParsing`). */
  parsesFlags: boolean;
  flags: CompletionFlag[];
  subcommands: CompletionCommand[];
  parent?: CompletionCommand;
  complete?: Completer;
}

/** What each command and flag completes, by command path (`"disk delete"`). */
export interface CompletionTable {
  args: Record<string, Completer>;
  /** By command path, then long flag name. */
  flags: Record<string, Record<string, Completer>>;
  /** Long names of the flags that may be given more than once. */
  repeatable: ReadonlySet<string>;
  /** Paths of the commands whose flags end at the first positional argument. */
  notInterspersed: ReadonlySet<string>;
}

/** Commands that take their flags as arguments, as cobra's `DisableFlagParsing`: CLI plugins. */
export const flagsNotParsed = new WeakSet<CommandUnknownOpts>();

function summaryOf(command: CommandUnknownOpts): string {
  return command.summary() || command.description().split("\n")[0];
}

function flagsOf(
  command: CommandUnknownOpts,
  path: string,
  table: CompletionTable,
): CompletionFlag[] {
  const flags: CompletionFlag[] = command.options.map((option) => ({
    name: (option.long ?? option.short ?? "").replace(/^-+/, ""),
    short: option.long ? option.short?.replace(/^-/, "") : undefined,
    needsValue: option.required,
    repeatable: table.repeatable.has(option.long?.slice(2) ?? ""),
    persistent: command.parent === null,
    hidden: option.hidden,
    usage: option.description,
  }));
  for (const flag of flags) flag.complete = table.flags[path]?.[flag.name];
  const local = { needsValue: false, repeatable: false, persistent: false };
  flags.push({
    ...local,
    name: "help",
    short: "h",
    hidden: false,
    usage: `help for ${command.name()}`,
  });
  if (command.parent === null) {
    flags.push({
      ...local,
      name: "version",
      short: "v",
      hidden: false,
      usage: `version for ${command.name()}`,
    });
  }
  return flags;
}

function build(
  command: CommandUnknownOpts,
  path: string,
  table: CompletionTable,
  parent?: CompletionCommand,
): CompletionCommand {
  const visible = new Set(command.createHelp().visibleCommands(command));
  const node: CompletionCommand = {
    name: command.name(),
    aliases: command.aliases(),
    summary: summaryOf(command),
    hidden: false,
    interspersed: !table.notInterspersed.has(path),
    parsesFlags: !flagsNotParsed.has(command),
    flags: flagsOf(command, path, table),
    subcommands: [],
    parent,
    complete: table.args[path],
  };
  node.subcommands = command.commands.map((sub) => {
    const child = build(
      sub,
      path ? `${path} ${sub.name()}` : sub.name(),
      table,
      node,
    );
    child.hidden = !visible.has(sub);
    return child;
  });
  return node;
}

/** The completion view of PROGRAM, the root command, with TABLE's completers attached. */
export function completionTree(
  program: CommandUnknownOpts,
  table: CompletionTable,
): CompletionCommand {
  const root = build(program, "", table);
  root.subcommands.push(helpCommand(root));
  return root;
}

/** cobra's `help [command]`, which completes the sub-commands of the path typed so far. */
function helpCommand(root: CompletionCommand): CompletionCommand {
  const help: CompletionCommand = {
    name: "help",
    aliases: [],
    summary: "Help about any command",
    hidden: false,
    interspersed: true,
    parsesFlags: true,
    flags: [],
    subcommands: [],
    parent: root,
  };
  help.flags.push({
    name: "help",
    short: "h",
    needsValue: false,
    repeatable: false,
    persistent: false,
    hidden: false,
    usage: "help for help",
  });
  help.complete = (args, toComplete) => {
    let command: CompletionCommand | undefined = root;
    for (const arg of args) {
      command = command?.subcommands.find((s) =>
        s.name === arg || s.aliases.includes(arg)
      );
    }
    return {
      candidates: command ? subcommandCandidates(command, toComplete) : [],
      directive: Directive.noFileComp,
    };
  };
  return help;
}

/** `name<TAB>summary` for the visible sub-commands of COMMAND starting with TO_COMPLETE. */
export function subcommandCandidates(
  command: CompletionCommand,
  toComplete: string,
): string[] {
  return command.subcommands
    .filter((s) => !s.hidden && s.name.startsWith(toComplete))
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    .map((s) => `${s.name}\t${s.summary}`);
}
