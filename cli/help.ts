/**
 * Help in cobra's layout, as Lima prints it: the description, `Usage:`, `Aliases:`,
 * `Examples:`, the command groups, `Flags:` and `Global Flags:` in pflag's columns, and
 * `Additional help topics:`. commander calls `cobraHelp` for every command's `--help`.
 */
import type { CommandUnknownOpts, Option } from "@commander-js/extra-typings";
import { LimaError } from "../core/errors.ts";

type Cmd = CommandUnknownOpts;

const examples = new WeakMap<Cmd, string>();
const topics = new WeakSet<Cmd>();
const runnable = new WeakMap<Cmd, boolean>();
const noFlagsInUseLine = new WeakSet<Cmd>();
const deprecations = new WeakMap<Cmd, string>();

/** The prefix Lima gives `start`'s create flags, which its help lists apart. */
export const CREATE_FLAG_PREFIX = "[limactl create] ";

/** Sets the `Examples:` block of CMD (cobra's `Example`: indented lines). */
export function withExamples<C extends Cmd>(cmd: C, text: string): C {
  examples.set(cmd, text);
  return cmd;
}

/** Makes CMD a help topic (cobra's command that cannot run): its help is its description. */
export function asHelpTopic<C extends Cmd>(cmd: C): C {
  topics.add(cmd);
  return cmd;
}

/** The `Examples:` block of CMD, if it has one. */
export function examplesOf(cmd: Cmd): string | undefined {
  return examples.get(cmd);
}

/**
 * Says whether CMD counts as runnable (has cobra's `Run`) when its action does not tell:
 * cobra's `completion` shows its help from an action here, and plugins run before parsing.
 */
export function setRunnable<C extends Cmd>(cmd: C, value: boolean): C {
  runnable.set(cmd, value);
  return cmd;
}

/** cobra's `DisableFlagsInUseLine`: CMD's usage line does not end in `[flags]`. */
export function withoutFlagsInUseLine<C extends Cmd>(cmd: C): C {
  noFlagsInUseLine.add(cmd);
  return cmd;
}

/**
 * Marks CMD deprecated (cobra's `Deprecated`): left out of the help and of completion (register
 * it hidden), and running it first prints `Command "NAME" is deprecated, MESSAGE` on stderr.
 */
export function withDeprecation<C extends Cmd>(cmd: C, message: string): C {
  deprecations.set(cmd, message);
  return cmd;
}

/** cobra's notice for running the deprecated CMD, or undefined when CMD is not deprecated. */
export function deprecationNotice(cmd: Cmd): string | undefined {
  const message = deprecations.get(cmd);
  if (message === undefined) return undefined;
  return `Command ${JSON.stringify(cmd.name())} is deprecated, ${message}\n`;
}

/** Whether CMD is a help topic (listed under `Additional help topics:`). */
export function isHelpTopic(cmd: Cmd): boolean {
  return topics.has(cmd);
}

/** The help of CMD, as cobra's default help and usage templates print it. */
export function cobraHelp(cmd: Cmd): string {
  if (topics.has(cmd)) return `${cmd.description()}\n\n`;
  if (cmd.options.some((o) => o.description.startsWith(CREATE_FLAG_PREFIX))) {
    return startHelp(cmd);
  }
  const sections = [usageSection(cmd)];
  if (cmd.aliases().length) {
    sections.push(`Aliases:\n  ${[cmd.name(), ...cmd.aliases()].join(", ")}`);
  }
  const example = examples.get(cmd);
  if (example) sections.push(`Examples:\n${example}`);
  sections.push(...commandSections(cmd));
  sections.push(`Flags:\n${flagTable(localFlags(cmd))}`);
  if (cmd.parent) {
    sections.push(`Global Flags:\n${flagTable(globalFlags(cmd))}`);
  }
  const helpTopics = cmd.commands.filter((c) => topics.has(c));
  if (helpTopics.length) {
    const pad = Math.max(
      11,
      ...cmd.commands.map((c) => commandPath(c).length),
    );
    sections.push(
      `Additional help topics:\n${
        helpTopics.map((c) => `  ${commandPath(c).padEnd(pad)} ${short(c)}`)
          .join("\n")
      }`,
    );
  }
  if (visibleCommands(cmd).length) {
    sections.push(
      `Use "${
        commandPath(cmd)
      } [command] --help" for more information about a command.`,
    );
  }
  return `${long(cmd)}\n\n${sections.join("\n\n")}\n`;
}

/**
 * Lima's own help for `start` (`cmd/limactl/start.go`): its flags, then the flags it shares
 * with `create` under their own heading, in columns of 25.
 */
function startHelp(cmd: Cmd): string {
  // Lima's list shows no defaults and calls string arrays "strings".
  const rows = localFlags(cmd, false).map(([flag, usage]): Row => [
    flag.replace(/ stringArray$/, " strings"),
    usage,
  ]);
  const line = ([flag, usage]: [string, string]) =>
    `${flag.padEnd(25)} ${usage}`;
  const own = rows.filter(([, u]) => !u.startsWith(CREATE_FLAG_PREFIX));
  const create = rows.filter(([, u]) => u.startsWith(CREATE_FLAG_PREFIX))
    .map(([f, u]): [string, string] => [f, u.slice(CREATE_FLAG_PREFIX.length)]);
  const example = examples.get(cmd);
  return [
    `${short(cmd)}\n\n`,
    `Usage:\n  ${useLine(cmd)}\n\n`,
    example ? `Examples:\n${example}\n\n` : "",
    `Flags:\n${own.map(line).join("\n")}\n\n`,
    `Flags inherited from \`limactl create\`:\n${
      create.map(line).join("\n")
    }\n\n`,
    `Global Flags:\n${flagTable(globalFlags(cmd))}\n`,
  ].join("");
}

function usageSection(cmd: Cmd): string {
  const lines = ["Usage:"];
  if (isRunnable(cmd)) lines.push(`  ${useLine(cmd)}`);
  if (visibleCommands(cmd).length) {
    lines.push(`  ${commandPath(cmd)} [command]`);
  }
  return lines.join("\n");
}

/** The root's groups (`Basic Commands:`, ...) then `Additional Commands:`; elsewhere one list. */
function commandSections(cmd: Cmd): string[] {
  const commands = visibleCommands(cmd);
  if (!commands.length) return [];
  const pad = Math.max(11, ...cmd.commands.map((c) => c.name().length));
  const list = (cs: Cmd[]) =>
    cs.map((c) => `  ${c.name().padEnd(pad)} ${short(c)}`).join("\n");
  // Groups in the order they were registered (cobra's `AddGroup` order).
  const groups = [...new Set(cmd.commands.map((c) => c.helpGroup()))];
  if (groups.length === 1 && groups[0] === "") {
    return [`Available Commands:\n${list(commands)}`];
  }
  return [...groups.filter((g) => g !== ""), ""].flatMap((group) => {
    const members = commands.filter((c) => c.helpGroup() === group);
    if (!members.length) return [];
    return [`${group || "Additional Commands:"}\n${list(members)}`];
  });
}

/** The sub-commands cobra lists, sorted by name; only the root lists `help`. */
function visibleCommands(cmd: Cmd): Cmd[] {
  const help = cmd.createHelp();
  return help.visibleCommands(cmd as never)
    .filter((c) =>
      !topics.has(c as Cmd) && (!cmd.parent || c.name() !== "help")
    )
    .sort((a, b) => a.name().localeCompare(b.name())) as Cmd[];
}

/** cobra's `Runnable`. */
export function isRunnable(cmd: Cmd): boolean {
  const set = runnable.get(cmd);
  if (set !== undefined) return set;
  return Boolean(
    (cmd as unknown as { _actionHandler?: unknown })._actionHandler,
  );
}

/** cobra's `CommandPath`: the names from the root down to CMD. */
export function commandPath(cmd: Cmd): string {
  const names: string[] = [];
  for (let c: Cmd | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** cobra's `UseLine`: the command path, the arguments, and `[flags]` unless already there. */
export function useLine(cmd: Cmd): string {
  const args = cmd.usage().replace("[options]", "[flags]").replace(
    /\s*\[command\]$/,
    "",
  );
  const line = `${commandPath(cmd)} ${args}`.trimEnd();
  if (noFlagsInUseLine.has(cmd)) return line.replace(/ \[flags\]$/, "");
  return line.includes("[flags]") ? line : `${line} [flags]`;
}

/**
 * Lima's `WrapArgsError`: a wrong number of arguments (cobra's message ERR), with where to look
 * and the usage line.
 */
export function argsError(cmd: Cmd, err: string): LimaError {
  const path = commandPath(cmd);
  return new LimaError({
    summary: `\`${path}\` ${err}.\nSee \`${path} --help\`.\n\nUsage:  ${
      useLine(cmd)
    }\n\n${short(cmd)}`,
  });
}

/** cobra's `Short`: the summary, else the description's first line. */
export function short(cmd: Cmd): string {
  return cmd.summary() || cmd.description().split("\n")[0];
}

/**
 * cobra's `Long` as written (help trims its end, generated docs do not): the description of
 * a command with a summary; without one, the description is `Short` unless it has more lines.
 */
export function cobraLong(cmd: Cmd): string {
  const description = cmd.description();
  if (cmd.summary()) return description === cmd.summary() ? "" : description;
  return description.includes("\n") ? description : "";
}

/** cobra's `Long`, else `Short`. */
function long(cmd: Cmd): string {
  return (cmd.description() || cmd.summary()).trimEnd();
}

type Row = [string, string];

function localFlags(cmd: Cmd, defaults = true): Row[] {
  const rows = cmd.options.filter((o) => !o.hidden).map((o) =>
    flagRow(o, defaults)
  );
  rows.push(["  -h, --help", `help for ${cmd.name()}`]);
  if (!cmd.parent) rows.push(["  -v, --version", `version for ${cmd.name()}`]);
  return sortRows(rows);
}

/** The root's flags, which every command accepts. */
function globalFlags(cmd: Cmd): Row[] {
  let root = cmd;
  while (root.parent) root = root.parent;
  return sortRows(
    root.options.filter((o) => !o.hidden).map((o) => flagRow(o, true)),
  );
}

function sortRows(rows: Row[]): Row[] {
  const name = ([flag]: Row) => flag.replace(/^.*--/, "");
  return rows.sort((a, b) => name(a).localeCompare(name(b)));
}

/** pflag's flag column (`  -y, --yes`, `      --name string`) and usage with its default. */
export function flagRow(option: Option, withDefault: boolean): Row {
  const type = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? "";
  const { name, usage: unquoted } = unquoteUsage(option.description);
  let flag = option.short
    ? `  ${option.short}, ${option.long}`
    : `      ${option.long}`;
  if (name ?? type) flag += ` ${name ?? type}`;
  let usage = unquoted;
  const value = option.defaultValue;
  // pflag's IP slices are not among the types whose empty default it leaves out.
  const shown = type === "ipSlice"
    ? `[${Array.isArray(value) ? value.join(",") : ""}]`
    : value;
  const zero = shown === undefined || shown === "" || shown === false ||
    shown === 0 || (Array.isArray(shown) && shown.length === 0);
  if (withDefault && !zero) {
    usage += ` (default ${
      typeof shown === "string" && type === "string"
        ? JSON.stringify(shown)
        : String(shown)
    })`;
  }
  return [flag, usage];
}

/**
 * pflag's `UnquoteUsage`: the first back-quoted word of a usage names the flag's value (in
 * place of its type), and loses its back quotes.
 */
export function unquoteUsage(usage: string): { name?: string; usage: string } {
  const i = usage.indexOf("`");
  const j = i < 0 ? -1 : usage.indexOf("`", i + 1);
  if (j < 0) return { usage };
  const name = usage.slice(i + 1, j);
  return { name, usage: usage.slice(0, i) + name + usage.slice(j + 1) };
}

/** pflag's `FlagUsages`: usages aligned three columns after the widest flag. */
function flagTable(rows: Row[]): string {
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, usage]) => `${flag.padEnd(width)}   ${usage}`)
    .join("\n");
}

/**
 * Lima's `WrapArgsError` (`cmd/limactl/main.go`): cobra's complaint about CMD's positional
 * arguments (`accepts 1 arg(s), received 0`), with where to look and CMD's usage line.
 */
export function argsErrorMessage(cmd: Cmd, complaint: string): string {
  const path = commandPath(cmd);
  return `\`${path}\` ${complaint}.\nSee \`${path} --help\`.\n\nUsage:  ${
    useLine(cmd)
  }\n\n${short(cmd)}`;
}
