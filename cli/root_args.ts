import type { Command } from "@commander-js/extra-typings";

/**
 * What the root does with ARGS before commander parses them, to behave as cobra does:
 * `"help"` when there is no command at all (cobra prints the help to stdout and exits 0;
 * commander writes it to stderr and fails), else the arguments to parse, without `-h`/`--help`
 * when the command is unknown, so that it fails as unknown instead of printing the root help.
 */
export function routeRootArgs(
  program: Command,
  args: string[],
): string[] | "help" {
  const { operand, onlyRootFlags } = scanRootArgs(program, args);
  if (operand === undefined) return onlyRootFlags ? "help" : args;
  const known = program.commands.some((c) =>
    c.name() === operand || c.aliases().includes(operand)
  );
  if (known || operand === "help") return args;
  return args.filter((arg) => arg !== "-h" && arg !== "--help");
}

/** The first operand, skipping flags and the values of the root's; whether all flags were the root's. */
function scanRootArgs(
  program: Command,
  args: string[],
): { operand?: string; onlyRootFlags: boolean } {
  let onlyRootFlags = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return { operand: args[i + 1], onlyRootFlags };
    if (!arg.startsWith("-") || arg === "-") {
      return { operand: arg, onlyRootFlags };
    }
    const kind = isRootOption(program, arg);
    if (kind === undefined) onlyRootFlags = false;
    if (kind === "takes-value") i++;
  }
  return { onlyRootFlags };
}

/**
 * Whether ARG is one of the root's flags: `"takes-value"` when the value is the next
 * argument, `"complete"` when ARG is the whole flag, undefined when it is not a root flag.
 */
function isRootOption(
  program: Command,
  arg: string,
): "takes-value" | "complete" | undefined {
  const [name, value] = arg.split(/=(.*)/s);
  const option = program.options.find((o) =>
    o.long === name || o.short === name
  );
  if (!option) return undefined;
  return option.required && value === undefined ? "takes-value" : "complete";
}
