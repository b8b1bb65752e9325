/**
 * The terminal menu behind the core's `Select` (Lima's `uiutil.Select`, survey's arrow-key
 * list): Inquirer's select prompt on stdin and stdout, loaded only when a menu is shown.
 */
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { PromptInterrupted } from "../core/prompt.ts";
import { sharedStdin } from "../core/stdin.ts";

/** Shows MESSAGE with OPTIONS on the terminal; resolves to the index chosen. */
export async function selectOnTerminal(
  message: string,
  options: string[],
  input?: NodeJS.ReadableStream,
): Promise<number> {
  // Raw mode needs a terminal on stdin; the core then proceeds as Lima does when survey fails.
  if (!Deno.stdin.isTerminal()) throw new Error("stdin is not a terminal");
  const { default: select } = await import("@inquirer/select");
  try {
    return await select({
      message,
      choices: options.map((name, value) => ({ name, value })),
      // survey shows seven rows of a long list (the templates), as Inquirer does by default.
      pageSize: 7,
    }, { input });
  } catch (err) {
    // Ctrl-C: Inquirer rejects with ExitPromptError (not exported by this package).
    if (err instanceof Error && err.name === "ExitPromptError") {
      throw new PromptInterrupted();
    }
    throw err;
  }
}

/**
 * `selectOnTerminal` for a command whose in-process SSH session has read stdin
 * (`core/stdin.ts`): the keys come through the shared reader, the terminal still in raw mode.
 */
export async function selectAfterSession(
  message: string,
  options: string[],
): Promise<number> {
  const input = Object.assign(
    Readable.fromWeb(
      sharedStdin() as NodeReadableStream<Uint8Array>,
    ),
    {
      isTTY: true,
      setRawMode(mode: boolean) {
        Deno.stdin.setRaw(mode);
        return input;
      },
    },
  );
  try {
    return await selectOnTerminal(message, options, input);
  } finally {
    input.destroy();
  }
}
