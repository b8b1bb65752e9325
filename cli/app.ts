import {
  Command,
  type CommanderError,
  Option,
} from "@commander-js/extra-typings";
import {
  configureLogger,
  type Level,
  logger,
  parseLevel,
} from "../core/log.ts";
import { LimaError } from "../core/errors.ts";
import { withExamples } from "./help.ts";

/** The global flags every command accepts (Lima's persistent flags). */
export interface GlobalOptions {
  debug?: boolean;
  logLevel?: string;
  logFormat?: string;
  tty?: boolean;
  yes?: boolean;
}

/** Builds the root `limactl` command with its global flags; commands are added by `main.ts`. */
export function rootCommand(): Command {
  const program = new Command("limactl")
    .description("Lima: Linux virtual machines")
    // -v/--version is answered by main.ts (a root option commander would also take after a
    // command); the help lists it as cobra does.
    .helpOption("-h, --help", "help for limactl")
    .option("--debug", "Debug mode")
    .option(
      "--log-level <string>",
      "Set the logging level [trace, debug, info, warn, error]",
    )
    .option(
      "--log-format <string>",
      "Set the logging format [text, json]",
      "text",
    )
    .addOption(
      new Option(
        "--tty",
        "Enable TUI interactions such as opening an editor. Defaults to true when stdout is a terminal. Set to false for automation.",
      ),
    )
    .addOption(new Option("--no-tty").hideHelp())
    .option("-y, --yes", "Alias of --tty=false")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .hook(
      "preAction",
      (_root, action) => {
        const opts = action.optsWithGlobals();
        applyGlobalOptions(opts);
        if (opts.yes && YES_DEPRECATED_FOR.includes(action.name())) {
          logger.warn(
            "--yes flag is deprecated (--tty=false is still supported and works in the same way. Also consider using --start)",
          );
        }
      },
    );
  return withExamples(program, ROOT_EXAMPLES);
}

/** Lima's root examples (`cmd/limactl/main.go`); the templates are built in here. */
const ROOT_EXAMPLES = `  Start the default instance:
  $ limactl start

  Open a shell:
  $ lima

  Run a container:
  $ lima nerdctl run -d --name nginx -p 8080:80 nginx:alpine

  Stop the default instance:
  $ limactl stop

  See also template YAMLs: limactl template list`;

/** Commands for which Lima deprecates `--yes` (they gained `--start` instead). */
const YES_DEPRECATED_FOR = ["clone", "edit", "rename"];

/** Applies the global flags: logging, and the --tty/--yes check. */
export function applyGlobalOptions(opts: GlobalOptions): void {
  if (opts.logFormat !== "text" && opts.logFormat !== "json") {
    throw new LimaError({
      summary: `unsupported log-format: "${opts.logFormat}"`,
      hint: "use text or json",
    });
  }
  if (opts.yes && opts.tty !== undefined) {
    throw new LimaError({
      summary: "cannot use both --tty and --yes flags at the same time",
    });
  }
  let level: Level = opts.debug ? "debug" : "info";
  if (opts.logLevel) {
    try {
      level = parseLevel(opts.logLevel);
    } catch (err) {
      throw new LimaError({
        summary: "invalid --log-level",
        detail: String(err),
      });
    }
  }
  configureLogger({ level, format: opts.logFormat });
}

/** Whether interactive UI is allowed: `--tty`, else `--yes` turns it off, else stdout is a terminal. */
export function isTty(opts: GlobalOptions): boolean {
  if (opts.tty !== undefined) return opts.tty;
  if (opts.yes) return false;
  return Deno.stdout.isTerminal();
}

/**
 * Rewrites cobra-style `--flag=true|false` for boolean flags into commander's
 * `--flag` / `--no-flag`, adding the hidden negation where a command lacks it.
 */
export function normalizeBooleanFlags(
  program: Command,
  argv: string[],
): string[] {
  const booleans = new Set<string>();
  const visit = (cmd: Command) => {
    const longs = new Set(cmd.options.map((o) => o.long));
    for (const o of [...cmd.options]) {
      if (!o.long || o.required || o.optional || o.negate) continue;
      booleans.add(o.long);
      const negation = o.long.replace(/^--/, "--no-");
      if (!longs.has(negation)) {
        cmd.addOption(new Option(negation).hideHelp());
        longs.add(negation);
      }
    }
    for (const sub of cmd.commands) visit(sub as Command);
  };
  visit(program);
  const out: string[] = [];
  let done = false;
  for (const arg of argv) {
    if (arg === "--") done = true;
    const m = /^(--[^=]+)=(true|false)$/.exec(arg);
    if (!done && m && booleans.has(m[1])) {
      out.push(m[2] === "true" ? m[1] : m[1].replace(/^--/, "--no-"));
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Turns commander's parse errors into Lima's (cobra's) wording. */
export function usageError(err: CommanderError): LimaError {
  const message = err.message.replace(/^error: /, "");
  let summary = message;
  let m: RegExpExecArray | null;
  if ((m = /^unknown option '([^']+)'/.exec(message))) {
    summary = `unknown flag: ${m[1]}`;
  } else if ((m = /^unknown command '([^']+)'/.exec(message))) {
    summary = `unknown command ${JSON.stringify(m[1])} for "limactl"`;
  } else if ((m = /^option '([^']+)' argument missing/.exec(message))) {
    // The option's flags (`-n, --name <string>`) end with the value's placeholder.
    const long = m[1].split(/[ ,]+/).filter((t) => t.startsWith("-")).pop();
    summary = `flag needs an argument: ${long}`;
  } else if (
    (m =
      /^too many arguments(?: for '([^']+)')?\. Expected (\d+) arguments? but got (\d+)/
        .exec(message))
  ) {
    const path = ["limactl", ...(m[1] ? [m[1]] : [])].join(" ");
    summary = `\`${path}\` accepts at most ${m[2]} arg(s), received ${m[3]}`;
  }
  const suggestion = /\(Did you mean ([^?]+)\?\)/.exec(message);
  return new LimaError({
    summary,
    hint: suggestion ? `did you mean ${suggestion[1]}?` : undefined,
  });
}
