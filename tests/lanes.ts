/**
 * One `deno test` run of the suite runner (`tests/run.ts`), its output and its counts. Lanes
 * write to stdout synchronously and whole, so one lane's block is never split by the other's
 * lines.
 */
import { writeStdout } from "../core/write_stdout.ts";

export interface LaneResult {
  name: string;
  code: number;
  passed: number;
  failed: number;
  ignored: number;
  /** The end of the output from Deno's ERRORS or FAILURES section, or its last lines. */
  failures: string;
}

// deno-lint-ignore no-control-regex
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

/**
 * Runs `deno test -A ARGS`. A "live" lane prints whole lines as they come; a "block" lane
 * prints its output, stderr included, in one piece when it ends.
 */
export async function runLane(
  name: string,
  args: string[],
  mode: "live" | "block",
): Promise<LaneResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: mode === "live" ? "inherit" : "piped",
  }).spawn();
  let output = "";
  let printed = 0;
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      output += decoder.decode(chunk, { stream: true });
      const end = output.lastIndexOf("\n") + 1;
      if (mode === "live" && end > printed) {
        writeStdout(output.slice(printed, end));
        printed = end;
      }
    }
  };
  await Promise.all([
    collect(child.stdout),
    mode === "block" ? collect(child.stderr) : undefined,
  ]);
  const { code } = await child.status;
  writeStdout(output.slice(printed));
  return { name, code, ...counts(output), failures: failureSection(output) };
}

/** The counts of Deno's last summary line: "ok | 12 passed (3 steps) | 0 failed | 1 ignored (2s)". */
export function counts(
  output: string,
): Pick<LaneResult, "passed" | "failed" | "ignored"> {
  const summary =
    [...plain(output).matchAll(/^(?:ok|FAILED) \| (.*)$/gm)].pop()?.[1] ?? "";
  const count = (word: string) =>
    Number(new RegExp(`(\\d+) ${word}`).exec(summary)?.[1] ?? 0);
  return {
    passed: count("passed"),
    failed: count("failed"),
    ignored: count("ignored"),
  };
}

/** What to show again of a failed lane's OUTPUT at the end of the run. */
export function failureSection(output: string): string {
  const text = plain(output);
  const start = text.search(/^ (?:ERRORS|FAILURES) $/m);
  return start >= 0
    ? text.slice(start)
    : text.split("\n").slice(-40).join("\n");
}

/**
 * The line CI reads: "N passed, N failed[, N skipped]". A lane that failed without a failed
 * test (a type error, a crash) counts as one failure.
 */
export function summarize(results: LaneResult[]): string {
  let passed = 0, failed = 0, ignored = 0;
  for (const r of results) {
    passed += r.passed;
    ignored += r.ignored;
    failed += r.failed + (r.code !== 0 && r.failed === 0 ? 1 : 0);
  }
  return `${passed} passed, ${failed} failed${
    ignored ? `, ${ignored} skipped` : ""
  }`;
}
