import type { GlobalOptions } from "./app.ts";

/**
 * Whether `edit`, `clone`, `rename` or `shell` should start the instance: what `--start` says
 * when given; otherwise, on a terminal, the user's answer (Lima's `askWhetherToStart`, default
 * yes); otherwise no.
 */
export function startRequested(
  start: boolean | undefined,
  globals: GlobalOptions,
): boolean {
  if (start !== undefined) return start;
  if (globals.tty === false || !Deno.stdin.isTerminal()) return false;
  const answer = prompt("? Do you want to start the instance now? (Y/n)", "");
  return answer === null || !/^n(o)?$/i.test(answer.trim());
}
