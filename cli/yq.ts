/** `limactl yq [flags] EXPR [FILE...]`: the embedded yq v4 command line. */
import { Command } from "@commander-js/extra-typings";
import { ExitCodeError, LimaError } from "../core/errors.ts";
import {
  type InputFormat,
  inputFormatOf,
  runYqOnFiles,
} from "../core/yq/run_files.ts";
import { YqError } from "../core/yq/mod.ts";
import { writeStdout } from "../core/write_stdout.ts";

/** The yq release whose expression language and flags this command follows. */
export const YQ_VERSION = "v4.53.3";

const USAGE = `Usage:
  limactl yq [flags] EXPRESSION [FILE...]

Evaluates a yq (https://github.com/mikefarah/yq/) expression against each YAML
document of each file (or stdin). env operators are allowed; system is disabled.

Flags:
  -o, --output-format string   [auto|a|yaml|y|json|j] output format type (default "auto")
  -p, --input-format string    [auto|a|yaml|y|json|j] parse format for input (default "auto")
  -I, --indent int             sets indent level for output (default 2)
  -i, --inplace                update the file in place of first file given
  -n, --null-input             Don't read input, simply evaluate the expression given
  -r, --unwrapScalar           unwrap scalar, print the value with no quotes (default true)
  -e, --exit-status            set exit status if there are no matches or null or false is returned
      --security-disable-env-ops   Disable env related operations
  -V, --version                Print version information and quit
  -h, --help                   help for yq
`;

export interface YqArgs {
  expression?: string;
  files: string[];
  /** Unset: yq's `auto`, JSON when the input is read as JSON by its `.json` extension. */
  output?: "yaml" | "json";
  inputFormat: InputFormat;
  indent?: number;
  inPlace: boolean;
  nullInput: boolean;
  raw?: boolean;
  exitStatus: boolean;
  /** `eval-all`/`ea`: evaluate all documents at once. */
  all: boolean;
  envOps: boolean;
  version: boolean;
  help: boolean;
}

function usageError(message: string): LimaError {
  return new LimaError({ summary: message });
}

/** Parses yq's own flag syntax (`-o=json`, `-ojson`, `-I 0`, `-nr`, `--indent=4`, ...). */
export function parseYqArgs(argv: string[]): YqArgs {
  const out: YqArgs = {
    files: [],
    inputFormat: "auto",
    inPlace: false,
    nullInput: false,
    exitStatus: false,
    all: false,
    envOps: true,
    version: false,
    help: false,
  };
  const positional: string[] = [];
  const boolValue = (v: string | undefined, flag: string): boolean => {
    if (v === undefined || v === "true") return true;
    if (v === "false") return false;
    throw usageError(
      `invalid argument ${JSON.stringify(v)} for "${flag}" flag`,
    );
  };
  const setOutput = (v: string) => {
    const lower = v.toLowerCase();
    const format = ({
      yaml: "yaml",
      y: "yaml",
      yml: "yaml",
      json: "json",
      j: "json",
    } as const)[lower];
    if (!format && lower !== "auto" && lower !== "a") {
      throw usageError(`unknown output format ${JSON.stringify(v)}`);
    }
    out.output = format;
  };
  const setIndent = (v: string) => {
    if (!/^\d+$/.test(v)) {
      throw usageError(
        `invalid argument ${JSON.stringify(v)} for "-I, --indent" flag`,
      );
    }
    out.indent = Number(v);
  };
  const setInput = (v: string) => {
    const format = ({
      auto: "auto",
      a: "auto",
      yaml: "yaml",
      y: "yaml",
      yml: "yaml",
      json: "json",
      j: "json",
    } as const)[v.toLowerCase()];
    if (!format) {
      throw usageError(`unsupported input format ${JSON.stringify(v)}`);
    }
    out.inputFormat = format;
  };
  const takesValue: Record<string, (v: string) => void> = {
    o: setOutput,
    "output-format": setOutput,
    I: setIndent,
    indent: setIndent,
    p: setInput,
    "input-format": setInput,
  };
  const booleans: Record<string, (v: boolean) => void> = {
    i: (v) => (out.inPlace = v),
    inplace: (v) => (out.inPlace = v),
    n: (v) => (out.nullInput = v),
    "null-input": (v) => (out.nullInput = v),
    r: (v) => (out.raw = v),
    unwrapScalar: (v) => (out.raw = v),
    e: (v) => (out.exitStatus = v),
    "exit-status": (v) => (out.exitStatus = v),
    "security-disable-env-ops": (v) => (out.envOps = !v),
    V: (v) => (out.version = v),
    version: (v) => (out.version = v),
    h: (v) => (out.help = v),
    help: (v) => (out.help = v),
    // Accepted for compatibility; they only change colours and layout details.
    P: () => {},
    prettyPrint: () => {},
    C: () => {},
    colors: () => {},
    M: () => {},
    "no-colors": () => {},
    N: () => {},
    "no-doc": () => {},
    v: () => {},
    verbose: () => {},
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--") && arg.length > 2) {
      const [name, value] = arg.slice(2).split(/=(.*)/s, 2) as [
        string,
        string | undefined,
      ];
      if (takesValue[name]) {
        const v = value ?? argv[++i];
        if (v === undefined) {
          throw usageError(`flag needs an argument: --${name}`);
        }
        takesValue[name](v);
      } else if (booleans[name]) {
        booleans[name](boolValue(value, `--${name}`));
      } else {
        throw usageError(`unknown flag: --${name}`);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // A cluster of one-letter flags; a value flag takes the rest (`-ojson`, `-o=json`) or the next argument.
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j];
        if (takesValue[letter]) {
          let v = arg.slice(j + 1).replace(/^=/, "");
          if (v === "") v = argv[++i];
          if (v === undefined) {
            throw usageError(
              `flag needs an argument: '${letter}' in -${letter}`,
            );
          }
          takesValue[letter](v);
          break;
        }
        if (!booleans[letter]) {
          throw usageError(`unknown shorthand flag: '${letter}' in ${arg}`);
        }
        if (arg[j + 1] === "=") {
          booleans[letter](boolValue(arg.slice(j + 2), `-${letter}`));
          break;
        }
        booleans[letter](true);
      }
      continue;
    }
    positional.push(arg);
  }
  // yq's sub-commands: `eval`/`e` (the default) and `eval-all`/`ea`.
  if (["eval", "e", "eval-all", "ea"].includes(positional[0] ?? "")) {
    out.all = ["eval-all", "ea"].includes(positional.shift()!);
  }
  out.expression = positional[0];
  out.files = positional.slice(1);
  return out;
}

/**
 * Runs yq with ARGV (everything after `yq`) and returns the exit status; errors are printed
 * as yq prints them (`Error: ...`). `main.ts` can call this directly for a multi-call `yq`.
 */
export async function runYq(argv: string[]): Promise<number> {
  try {
    const args = parseYqArgs(argv);
    if (args.help) {
      writeStdout(USAGE);
      return 0;
    }
    if (args.version) {
      writeStdout(
        `yq (https://github.com/mikefarah/yq/) version ${YQ_VERSION}\n`,
      );
      return 0;
    }
    const output = await runYqOnFiles({
      expression: args.expression || ".",
      files: args.files,
      inPlace: args.inPlace,
      all: args.all,
      nullInput: args.nullInput,
      envOps: args.envOps,
      inputFormat: args.inputFormat,
      output: args.output ?? (args.inputFormat === "auto" && args.files[0] &&
          inputFormatOf(args.files[0]) === "json"
        ? "json"
        : "yaml"),
      indent: args.indent,
      raw: args.raw,
    });
    writeStdout(output);
    const last = output.split("\n---\n").pop() ?? "";
    return args.exitStatus && /^(null|false)?\n?$/.test(last) ? 1 : 0;
  } catch (err) {
    // yq's own error format, which scripts match on.
    const cause = err instanceof LimaError && err.cause instanceof YqError
      ? err.cause.message
      : undefined;
    const message = cause ?? (err instanceof Error ? err.message : String(err));
    Deno.stderr.writeSync(new TextEncoder().encode(`Error: ${message}\n`));
    return 1;
  }
}

export function yqCommand(): Command<[string[]]> {
  return new Command("yq")
    .description("Run yq (https://github.com/mikefarah/yq/)")
    .argument("[args...]", "yq flags, EXPRESSION and FILE")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (argv) => {
      const code = await runYq(argv);
      if (code !== 0) throw new ExitCodeError(code);
    });
}
