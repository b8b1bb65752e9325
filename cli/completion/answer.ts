/**
 * What to offer for a command line, decided as cobra does (`getCompletions` in cobra's
 * `completions.go`), so that the scripts Lima users already have work unchanged: find the
 * command, tell a flag's value from a positional argument, then offer flag names,
 * sub-commands, or what the command or flag completes.
 */
import { type Completion, Directive } from "../../core/completion/directive.ts";
import {
  type CompletionCommand,
  type CompletionFlag,
  subcommandCandidates,
} from "./tree.ts";

/** The answer, and the reason when the command line could not be understood. */
export interface Answer {
  completion: Completion;
  error?: string;
}

const nothing = (directive: number, error?: string): Answer => ({
  completion: { candidates: [], directive },
  error,
});

/** The flags a command accepts: its own, then those its ancestors pass down. */
function inheritedFlags(command: CompletionCommand): CompletionFlag[] {
  const flags: CompletionFlag[] = [];
  for (let c = command.parent; c; c = c.parent) {
    flags.push(...c.flags.filter((f) => f.persistent));
  }
  return flags;
}

function allFlags(command: CompletionCommand): CompletionFlag[] {
  return [...command.flags, ...inheritedFlags(command)];
}

function findFlag(
  command: CompletionCommand,
  name: string,
): CompletionFlag | undefined {
  const flags = allFlags(command);
  return name.length === 1
    ? flags.find((f) => f.short === name)
    : flags.find((f) => f.name === name);
}

/** Whether ARG is a flag whose value is the next word (pflag's view, unknown flags included). */
function takesNextWord(command: CompletionCommand, arg: string): boolean {
  if (arg.includes("=")) return false;
  if (arg.startsWith("--")) {
    return findFlag(command, arg.slice(2))?.needsValue ?? true;
  }
  return arg.length === 2 && arg[0] === "-" &&
    (findFlag(command, arg[1])?.needsValue ?? true);
}

/** The index of the first word of ARGS that is neither a flag nor a flag's value, or -1. */
function firstWord(command: CompletionCommand, args: string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return -1;
    if (takesNextWord(command, arg)) i++;
    else if (arg !== "" && !arg.startsWith("-")) return i;
  }
  return -1;
}

/** cobra's `Find`: the command ARGS name and the words left for it. */
function findCommand(
  root: CompletionCommand,
  args: string[],
): { command: CompletionCommand; args: string[] } | undefined {
  let command = root;
  let rest = args;
  for (;;) {
    const i = firstWord(command, rest);
    const sub = i < 0
      ? undefined
      : command.subcommands.find((s) =>
        s.name === rest[i] || s.aliases.includes(rest[i])
      );
    if (!sub) break;
    command = sub;
    rest = [...rest.slice(0, i), ...rest.slice(i + 1)];
  }
  // Only the root refuses words that are not its commands.
  if (command === root && firstWord(root, rest) >= 0) return undefined;
  return { command, args: rest };
}

/** pflag's `-` followed by something, or `--` followed by a name. */
const isFlagArg = (arg: string) =>
  (arg.length >= 3 && arg.startsWith("--")) ||
  (arg.length >= 2 && arg[0] === "-" && arg[1] !== "-");

interface FlagValue {
  flag?: CompletionFlag;
  args: string[];
  toComplete: string;
  error?: string;
}

/** cobra's `checkIfFlagCompletion`: whether TO_COMPLETE is the value of a flag, and which. */
function flagValueCompletion(
  command: CompletionCommand,
  args: string[],
  toComplete: string,
): FlagValue {
  let name: string | undefined;
  let withEqual = false;
  let trimmed = args;
  let word = toComplete;
  if (toComplete.startsWith("-")) {
    const eq = toComplete.indexOf("=");
    if (eq < 0) return { args, toComplete };
    // `-abc=` names its last letter.
    name = toComplete.startsWith("--")
      ? toComplete.slice(2, eq)
      : toComplete[eq - 1];
    word = toComplete.slice(eq + 1);
    withEqual = true;
  } else if (args.length > 0) {
    const previous = args[args.length - 1];
    if (isFlagArg(previous) && !previous.includes("=")) {
      name = previous.startsWith("--") ? previous.slice(2) : previous.slice(-1);
      trimmed = args.slice(0, -1);
    }
  }
  if (name === undefined) return { args, toComplete };
  const flag = findFlag(command, name);
  if (!flag) {
    return {
      args,
      toComplete,
      error: `Subcommand '${command.name}' does not support flag '${name}'`,
    };
  }
  // A boolean flag takes no next word: the word is an argument after all.
  if (!withEqual && !flag.needsValue) return { args, toComplete };
  return { flag, args: trimmed, toComplete: word };
}

interface Parsed {
  positionals: string[];
  given: Set<CompletionFlag>;
  /** Whether `--` appeared, or flags ended at a positional argument. */
  flagsEnded: boolean;
}

/** pflag's parse of ARGS for COMMAND: positional arguments and the flags given. */
function parseFlags(command: CompletionCommand, args: string[]): Parsed {
  const parsed: Parsed = {
    positionals: [],
    given: new Set(),
    flagsEnded: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (parsed.flagsEnded) {
      parsed.positionals.push(arg);
    } else if (arg === "--") {
      parsed.flagsEnded = true;
    } else if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const flag = findFlag(command, name);
      if (!flag) throw new Error(`unknown flag: --${name}`);
      if (flag.needsValue && eq < 0) {
        if (++i >= args.length) {
          throw new Error(`flag needs an argument: --${name}`);
        }
      }
      parsed.given.add(flag);
    } else if (arg.startsWith("-") && arg !== "-") {
      i = parseShorthands(command, args, i, parsed);
    } else {
      parsed.positionals.push(arg);
      if (!command.interspersed) parsed.flagsEnded = true;
    }
  }
  return parsed;
}

/** One cluster of short flags (`-rv`, `-fjson`) at ARGS[I]; returns the index of its last word. */
function parseShorthands(
  command: CompletionCommand,
  args: string[],
  i: number,
  parsed: Parsed,
): number {
  const cluster = args[i];
  for (let j = 1; j < cluster.length; j++) {
    const flag = findFlag(command, cluster[j]);
    if (!flag) {
      throw new Error(
        `unknown shorthand flag: '${cluster[j]}' in ${cluster}`,
      );
    }
    parsed.given.add(flag);
    if (!flag.needsValue) continue;
    if (j + 1 < cluster.length) return i;
    if (i + 1 >= args.length) {
      throw new Error(`flag needs an argument: '${cluster[j]}' in ${cluster}`);
    }
    return i + 1;
  }
  return i;
}

/** `--name<TAB>usage` and `-n<TAB>usage` for FLAG when they start with TO_COMPLETE. */
function flagNameCandidates(
  flag: CompletionFlag,
  toComplete: string,
): string[] {
  if (flag.hidden) return [];
  const names = [`--${flag.name}`];
  if (flag.short) names.push(`-${flag.short}`);
  return names.filter((n) => n.startsWith(toComplete)).map((n) =>
    `${n}\t${flag.usage}`
  );
}

function byName(a: CompletionFlag, b: CompletionFlag): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Flag names for a word starting with `-`: inherited flags first, each group sorted, as pflag visits them. */
function flagNames(
  command: CompletionCommand,
  given: Set<CompletionFlag>,
  toComplete: string,
): Completion {
  const offer = (flags: CompletionFlag[]) =>
    flags.filter((f) => !given.has(f) || f.repeatable).sort(byName)
      .flatMap((f) => flagNameCandidates(f, toComplete));
  const candidates = [
    ...offer(inheritedFlags(command)),
    ...offer(command.flags),
  ];
  const single = candidates.length === 1 &&
    candidates[0].split("\t")[0].endsWith("=");
  return {
    candidates,
    directive: single ? Directive.noSpace : Directive.noFileComp,
  };
}

/** A command that parses no flags (a CLI plugin): flag names for `-word`, else file names. */
function unparsed(command: CompletionCommand, toComplete: string): Completion {
  if (toComplete.startsWith("-") && !toComplete.includes("=")) {
    return flagNames(command, new Set(), toComplete);
  }
  return { candidates: [], directive: Directive.default };
}

/**
 * The answer for the words after `limactl` in ARGS, the last one being the word under the
 * cursor (empty after a space).
 */
export async function answer(
  root: CompletionCommand,
  args: string[],
): Promise<Answer> {
  const toComplete = args.at(-1) ?? "";
  const found = findCommand(root, args.slice(0, -1));
  if (!found) {
    return nothing(
      Directive.default,
      `unable to find a command for arguments: [${
        args.slice(0, -1).join(" ")
      }]`,
    );
  }
  const { command } = found;
  if (!command.parsesFlags) {
    return { completion: unparsed(command, toComplete) };
  }
  const value = flagValueCompletion(command, found.args, toComplete);
  let parsed: Parsed;
  try {
    parsed = parseFlags(command, value.args);
  } catch (err) {
    return nothing(
      Directive.default,
      `Error while parsing flags from args [${value.args.join(" ")}]: ${
        (err as Error).message
      }`,
    );
  }
  // After `--`, or past the first argument of `shell`, a `-word` is an argument, not a flag.
  const flagCompletion = !parsed.flagsEnded;
  if (value.error && flagCompletion) {
    return nothing(Directive.default, value.error);
  }
  const { flag, toComplete: word } = value;
  if (
    [...parsed.given].some((f) => f.name === "help" || f.name === "version")
  ) {
    return nothing(Directive.noFileComp);
  }
  if (
    !flag && flagCompletion && word.startsWith("-") && !word.includes("=")
  ) {
    return { completion: flagNames(command, parsed.given, word) };
  }
  const completion: Completion = {
    candidates: [],
    directive: Directive.default,
  };
  if (!flag) {
    const localGiven = [...parsed.given].some((f) => !f.persistent);
    if (parsed.positionals.length === 0 && !localGiven) {
      completion.candidates = subcommandCandidates(command, word);
      if (command.subcommands.some((s) => !s.hidden)) {
        completion.directive = Directive.noFileComp;
      }
    }
  }
  const completer = flag && flagCompletion ? flag.complete : command.complete;
  if (completer) {
    const more = await completer(parsed.positionals, word);
    completion.candidates.push(...more.candidates);
    completion.directive = more.directive;
  }
  return { completion };
}
