/** Small process helpers shared by the drivers. */
import process from "node:process";
import { errorMessage, LimaError } from "../../core/errors.ts";
import { quote } from "../../core/quote.ts";
import type { ExitReport } from "../../plugins/contract.ts";
import { sleep } from "../../core/sleep.ts";
import { resolvesWithin } from "../../core/timeout.ts";

export interface RunResult {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/** Runs a tool to completion; a missing executable is a `LimaError` naming it. */
export async function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; stdin?: Uint8Array } = {},
): Promise<RunResult> {
  try {
    const child = new Deno.Command(command, {
      args,
      env: options.env,
      stdin: options.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (options.stdin) {
      const writer = child.stdin.getWriter();
      await writer.write(options.stdin);
      await writer.close();
    }
    const out = await child.output();
    return {
      code: out.code,
      stdout: out.stdout,
      stderr: new TextDecoder().decode(out.stderr),
    };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new LimaError({
        summary: `${quote(command)} was not found`,
        detail: errorMessage(err),
      });
    }
    throw err;
  }
}

/** Runs a tool and returns its stdout as text, failing with its stderr when it exits non-zero. */
export async function runText(
  command: string,
  args: string[],
  what: string,
): Promise<string> {
  const result = await run(command, args);
  if (result.code !== 0) {
    throw new LimaError({
      summary: `failed to ${what}`,
      detail: `${
        [command, ...args].join(" ")
      }: exit status ${result.code}: ${result.stderr.trim()}`,
    });
  }
  return new TextDecoder().decode(result.stdout);
}

/** Whether a process exists (signal 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The live PID recorded in a pid file, else 0. */
export async function readPidFile(path: string): Promise<number> {
  try {
    const pid = Number.parseInt((await Deno.readTextFile(path)).trim(), 10);
    return pid > 0 && isAlive(pid) ? pid : 0;
  } catch {
    return 0;
  }
}

/** Checks DONE every INTERVALMS until it holds; false when TIMEOUTMS passed first. */
async function pollUntil(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
  return true;
}

/** Polls until the process is gone; false on timeout. */
export function waitForExit(
  pid: number,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  return pollUntil(() => !isAlive(pid), timeoutMs, intervalMs);
}

/** Waits for a child to end; false when it is still running after TIMEOUTMS. */
export function waitForChild(
  child: Deno.ChildProcess,
  timeoutMs: number,
): Promise<boolean> {
  return resolvesWithin(child.status, timeoutMs);
}

/** The report of an ended VM process; FAILURE, when given, is why the end was unexpected. */
export function exitReport(
  status: Deno.CommandStatus,
  failure?: { summary: string; detail: string | undefined },
): ExitReport {
  return {
    code: status.code,
    signal: status.signal,
    ...(failure
      ? {
        diagnostic: {
          severity: "error" as const,
          summary: failure.summary,
          detail: failure.detail,
        },
      }
      : {}),
  };
}

/** Polls until a path exists; false on timeout. */
export function waitForPath(
  path: string,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  return pollUntil(
    () => Deno.lstat(path).then(() => true, () => false),
    timeoutMs,
    intervalMs,
  );
}

/**
 * Waits until a starting child creates PATH (its sign of life), for at most TIMEOUTMS; true
 * when the child exited first. A slow child that is still running counts as started.
 */
export async function exitedBeforePath(
  child: Deno.ChildProcess,
  path: string,
  timeoutMs: number,
): Promise<boolean> {
  return await Promise.race([
    waitForPath(path, timeoutMs).then(() => false),
    child.status.then(() => true),
  ]);
}

/** Sends a signal, ignoring a process that is already gone. */
export function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // Already exited.
  }
}
