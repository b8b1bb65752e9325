/**
 * The terminal menu behind the core's `Select` (Lima's `uiutil.Select`, survey's arrow-key
 * list): Inquirer's select prompt on stdin and stdout, loaded only when a menu is shown.
 */
import { PromptInterrupted } from "../core/prompt.ts";

/** Shows MESSAGE with OPTIONS on the terminal; resolves to the index chosen. */
export async function selectOnTerminal(
  message: string,
  options: string[],
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
    });
  } catch (err) {
    // Ctrl-C: Inquirer rejects with ExitPromptError (not exported by this package).
    if (err instanceof Error && err.name === "ExitPromptError") {
      throw new PromptInterrupted();
    }
    throw err;
  }
}
