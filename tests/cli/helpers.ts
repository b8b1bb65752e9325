/**
 * Running `limactl` (this checkout's `main.ts`) as a subprocess against a temporary
 * LIMA_HOME, and asserting on its logrus-style stderr like Lima's bats helpers do.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  limaHome: string;
  stdin?: string;
  env?: Record<string, string>;
  cwd?: string;
}

/** Runs `deno run -A main.ts ARGS` with LIMA_HOME set. */
export async function limactl(
  args: string[],
  options: RunOptions,
): Promise<RunResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { LIMA_HOME: options.limaHome, ...options.env },
    cwd: options.cwd ?? options.limaHome,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(options.stdin));
      await writer.close();
    } catch (err) {
      // limactl may stop reading early (a template over the size limit).
      if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
    }
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** Starts `deno run -A main.ts ARGS` with LIMA_HOME set and stdout/stderr piped (no stdin). */
export function spawnLimactl(
  args: string[],
  options: RunOptions,
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { LIMA_HOME: options.limaHome, ...options.env },
    cwd: options.cwd ?? options.limaHome,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/**
 * Runs `limactl ARGS` on a pseudo-terminal (util-linux `script`) that reads ANSWER; a run still
 * waiting for the terminal after 30 s is killed. The terminal merges stdout and stderr.
 */
export async function onTerminal(
  args: string[],
  options: RunOptions & { answer: string },
): Promise<{ code: number; stdout: string }> {
  const child = terminalCommand(args, options, {
    stderr: "piped",
    timeoutMs: 30_000,
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(options.answer));
  await writer.close();
  const out = await child.output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

/** `limactl ARGS` on a pseudo-terminal (util-linux `script`), killed after TIMEOUTMS. */
export function terminalCommand(
  args: string[],
  options: RunOptions,
  o: { stderr: "piped" | "null"; timeoutMs: number },
): Deno.Command {
  const line = [Deno.execPath(), "run", "-A", MAIN, ...args]
    .map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  return new Deno.Command("script", {
    args: ["-qec", line, "/dev/null"],
    env: { LIMA_HOME: options.limaHome, ...options.env },
    cwd: options.cwd ?? options.limaHome,
    stdin: "piped",
    stdout: "piped",
    stderr: o.stderr,
    signal: AbortSignal.timeout(o.timeoutMs),
  });
}

/** Like `limactl`, but fails the test unless the exit code is CODE. */
export async function limactlExpect(
  code: number,
  args: string[],
  options: RunOptions,
): Promise<RunResult> {
  const result = await limactl(args, options);
  assert.equal(
    result.code,
    code,
    `limactl ${args.join(" ")} exited ${result.code}:\n${result.stderr}`,
  );
  return result;
}

/** The bats helper `create_dummy_instance NAME [YAML]`: an instance that can never boot. */
export function createDummyInstance(
  name: string,
  options: RunOptions & { yaml?: string },
): Promise<RunResult> {
  const yaml = options.yaml ?? "{images: [location: /etc/profile]}";
  return limactlExpect(0, ["create", "--name", name, "-"], {
    ...options,
    stdin: yaml,
  });
}

/** `strconv.Quote` of MSG, without the closing quote when MSG ends in `…` (a prefix match). */
function quoteMessage(msg: string): string {
  if (msg.endsWith("…")) return JSON.stringify(msg.slice(0, -1)).slice(0, -1);
  return JSON.stringify(msg);
}

function assertLogged(stderr: string, level: string, msg: string): void {
  const needle = `level=${level} msg=${quoteMessage(msg)}`;
  assert.ok(
    stderr.split("\n").some((line) => line.includes(needle)),
    `expected a log line containing ${needle}\nstderr:\n${stderr}`,
  );
}

export const assertFatal = (stderr: string, msg: string) =>
  assertLogged(stderr, "fatal", msg);
export const assertWarning = (stderr: string, msg: string) =>
  assertLogged(stderr, "warning", msg);
export const assertInfo = (stderr: string, msg: string) =>
  assertLogged(stderr, "info", msg);
export const assertDebug = (stderr: string, msg: string) =>
  assertLogged(stderr, "debug", msg);

/** The lines of OUTPUT without the final empty one. */
export function lines(output: string): string[] {
  const all = output.split("\n");
  if (all.at(-1) === "") all.pop();
  return all;
}

/** A fresh temporary LIMA_HOME (short, so socket paths stay under the limit). */
export async function tempLimaHome(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "lima-" });
}
