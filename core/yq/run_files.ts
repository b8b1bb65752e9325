/** The work behind `limactl yq EXPR [FILE...]`: evaluate over files or stdin, print or edit in place. */
import { LimaError } from "../errors.ts";
import { jsonStreamToYaml } from "./json_stream.ts";
import {
  evaluateYamlStream,
  type FormatOptions,
  formatYqResults,
  type YqResult,
} from "./mod.ts";

export type InputFormat = "auto" | "yaml" | "json";

/** The format FILE is read in: yq's `auto` goes by the file's extension. */
export function inputFormatOf(
  file: string,
  format: InputFormat = "auto",
): "yaml" | "json" {
  if (format !== "auto") return format;
  return /\.json$/i.test(file) ? "json" : "yaml";
}

export interface RunYqOptions extends FormatOptions {
  expression: string;
  /** Input files; empty or `-` means stdin. */
  files: string[];
  inPlace?: boolean;
  /** `auto` (the default) reads `.json` files as JSON, everything else as YAML. */
  inputFormat?: InputFormat;
  /** Evaluate all documents at once (`yq eval-all`) instead of each alone (`yq eval`). */
  all?: boolean;
  nullInput?: boolean;
  envOps?: boolean;
  /** Reads stdin (injected so tests need no terminal). */
  readStdin?: () => Promise<string>;
}

/** Evaluates the expression over each input and returns the text to print (empty for `-i`). */
export async function runYqOnFiles(options: RunYqOptions): Promise<string> {
  const readStdin = options.readStdin ??
    (() => new Response(Deno.stdin.readable).text());
  const evaluate = (text: string, nullInput = false, file = "-") =>
    evaluateYamlStream(
      inputFormatOf(file, options.inputFormat) === "json"
        ? jsonStreamToYaml(text)
        : text,
      options.expression,
      {
        envOps: options.envOps,
        nullInput,
        perDocument: !options.all,
      },
    );
  const evalText = (text: string, file: string) =>
    formatYqResults(evaluate(text, false, file), options);
  if (options.nullInput) {
    return formatYqResults(evaluate("", true), options);
  }
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
      outputs.push([file, evalText(await readFile(file), file)]);
    }
    for (const [file, text] of outputs) await Deno.writeTextFile(file, text);
    return "";
  }
  // One stream, so the printer separates the files' documents as yq does.
  const results: YqResult[] = [];
  for (const [fileIndex, file] of files.entries()) {
    const text = file === "-" ? await readStdin() : await readFile(file);
    results.push(
      ...evaluate(text, false, file).map((r) => ({ ...r, fileIndex })),
    );
  }
  return formatYqResults(results, options);
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
