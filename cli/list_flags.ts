/**
 * The flags of `limactl list`, shared by its commander command (`cli/list.ts`) and by a
 * parser that needs no command tree: tools such as Colima poll `limactl list --json`, and
 * building every command costs more than listing. The parser takes only plain spellings;
 * anything else goes through the command tree so that help and error messages stay the same.
 */
import { writeStdout } from "../core/write_stdout.ts";

/** One flag of `limactl list`. */
export interface ListFlag {
  /** The long name, without dashes. */
  name: string;
  /** The one-letter short name, without the dash. */
  short?: string;
  /** The placeholder of the flag's value in help; absent for boolean flags. */
  value?: string;
  description: string;
  /** Whether every occurrence is kept, in order (default: the last one wins). */
  multiple?: boolean;
  /** The value when the flag is absent, as help shows it. */
  default?: string;
}

/** The flags, in the order help lists them. */
export const LIST_FLAGS: readonly ListFlag[] = [
  {
    name: "format",
    short: "f",
    value: "<string>",
    description: "Output format, one of: json, yaml, table, go-template",
    default: "table",
  },
  { name: "list-fields", description: "List fields available for format" },
  { name: "json", description: "Same as --format=json" },
  { name: "quiet", short: "q", description: "Only show names" },
  { name: "all-fields", description: "Show all fields" },
  {
    name: "yq",
    value: "<stringArray>",
    description: "Apply yq expression to each instance",
    multiple: true,
  },
  {
    name: "filter",
    short: "l",
    value: "<stringArray>",
    description:
      "Filter instances using yq expression (equivalent to --yq 'select(EXPR)')",
    multiple: true,
  },
];

/** A parsed `limactl list` command line. */
export interface ListInvocation {
  names: string[];
  /** `--format`, only when given on the command line. */
  format?: string;
  json?: boolean;
  quiet?: boolean;
  allFields?: boolean;
  listFields?: boolean;
  yq: string[];
  filter: string[];
}

/** The key under which commander stores FLAG's value (`list-fields` → `listFields`). */
export function optionKey(flag: ListFlag): string {
  return flag.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Builds the invocation from option values keyed as `optionKey` names them. */
export function listInvocation(
  names: string[],
  values: Record<string, unknown>,
  formatGiven: boolean,
): ListInvocation {
  const flag = (key: string) => values[key] as boolean | undefined;
  return {
    names,
    format: formatGiven ? values.format as string : undefined,
    json: flag("json"),
    quiet: flag("quiet"),
    allFields: flag("allFields"),
    listFields: flag("listFields"),
    yq: (values.yq as string[] | undefined) ?? [],
    filter: (values.filter as string[] | undefined) ?? [],
  };
}

/**
 * Parses ARGS (the whole command line after `limactl`) when it is a `list`/`ls` command
 * line made only of the flags above in plain spellings (`--flag`, `--flag=value`,
 * `--flag value`, `-x`, `-x value`); undefined for everything else (help, global flags,
 * unknown, negated or grouped flags, `--`, missing values), which the command tree handles.
 * Hand-written rather than `node:util`'s parseArgs: the first `node:` import costs more
 * than the listing.
 */
export function parseListArgs(args: string[]): ListInvocation | undefined {
  if (args[0] !== "list" && args[0] !== "ls") return undefined;
  const names: string[] = [];
  const values: Record<string, unknown> = {};
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    if (!isFlagLike(arg)) {
      names.push(arg);
      continue;
    }
    let flag: ListFlag | undefined;
    let value: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      flag = LIST_FLAGS.find((f) => f.name === name);
      if (eq >= 0) value = arg.slice(eq + 1);
    } else if (arg.length === 2) {
      flag = LIST_FLAGS.find((f) => f.short === arg[1]);
    }
    if (!flag) return undefined;
    const key = optionKey(flag);
    if (!flag.value) {
      if (value !== undefined) return undefined;
      values[key] = true;
      continue;
    }
    if (value === undefined) {
      value = args[++i];
      // A flag where the value should be is more likely a forgotten value.
      if (value === undefined || isFlagLike(value)) return undefined;
    }
    values[key] = flag.multiple
      ? [...(values[key] as string[] | undefined ?? []), value]
      : value;
  }
  return listInvocation(names, values, values.format !== undefined);
}

/** Whether ARG is spelled as a flag (a lone `-` is an argument). */
function isFlagLike(arg: string): boolean {
  return arg.length > 1 && arg.startsWith("-");
}

/** Runs `limactl list` as INVOCATION asks, writing to stdout. */
export async function runList(invocation: ListInvocation): Promise<void> {
  const { listInstances } = await import("../core/report/list.ts");
  const tty = Deno.env.get("_LIMA_OUTPUT_IS_TTY")
    ? true
    : Deno.stdout.isTerminal();
  await listInstances({
    ...invocation,
    outputIsTTY: tty,
    terminalWidth: Deno.stdout.isTerminal()
      ? Deno.consoleSize().columns
      : undefined,
    write: writeStdout,
  });
}
