/** The work behind `limactl yq EXPR [FILE...]`: evaluate over files or stdin, print or edit in place. */
import { LimaError } from "../errors.ts";
import {
  evaluateYamlStream,
  type FormatOptions,
  formatYqResults,
} from "./mod.ts";

export interface RunYqOptions extends FormatOptions {
  expression: string;
  /** Input files; empty or `-` means stdin. */
  files: string[];
  inPlace?: boolean;
  nullInput?: boolean;
  envOps?: boolean;
  /** Reads stdin (injected so tests need no terminal). */
  readStdin?: () => Promise<string>;
}

/** Evaluates the expression over each input and returns the text to print (empty for `-i`). */
export async function runYqOnFiles(options: RunYqOptions): Promise<string> {
  const readStdin = options.readStdin ??
    (() => new Response(Deno.stdin.readable).text());
  const evalText = (text: string, nullInput = false) =>
    formatYqResults(
      evaluateYamlStream(text, options.expression, {
        envOps: options.envOps,
        nullInput,
      }),
      options,
    );
  if (options.nullInput) return evalText("", true);
  const files = options.files.length ? options.files : ["-"];
  if (options.inPlace) {
    if (!options.files.length || files.includes("-")) {
      throw new LimaError({
        summary:
          "write in place flag only applicable when giving an expression and at least one file",
      });
    }
    // Evaluate everything first so a failure leaves every file untouched.
    const outputs: [string, string][] = [];
    for (const file of files) {
      outputs.push([file, evalText(await readFile(file))]);
    }
    for (const [file, text] of outputs) await Deno.writeTextFile(file, text);
    return "";
  }
  let out = "";
  for (const file of files) {
    out += evalText(file === "-" ? await readStdin() : await readFile(file));
  }
  return out;
}

async function readFile(file: string): Promise<string> {
  try {
    return await Deno.readTextFile(file);
  } catch (err) {
    throw new LimaError({
      summary: `failed to read file ${JSON.stringify(file)}`,
      detail: (err as Error).message,
    }, {
      cause: err,
    });
  }
}
