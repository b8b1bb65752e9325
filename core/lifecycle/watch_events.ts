/**
 * Following a host agent (Lima's `pkg/hostagent/events/watcher.go`): `ha.stdout.log` events and
 * `ha.stderr.log` log records are read as they are appended (the files may not exist yet, or be
 * truncated), the host agent's log lines are re-logged here with a `[hostagent]` prefix, and the
 * watch ends when the caller has seen the event it waits for, the host agent has exited, or time
 * is up.
 */
import { join } from "node:path";
import { errorMessage, LimaError } from "../errors.ts";
import { type Level, logger } from "../log.ts";
import { quote } from "../quote.ts";
import {
  type EventStatus,
  type HostAgentEvent,
  parseEvent,
  parseEventTime,
} from "../hostagent/events.ts";
import { InstanceFiles } from "../store/paths.ts";
import { sleep } from "../sleep.ts";
import { ifFound } from "../if_found.ts";

/** Reads the lines appended to a file since the last call (tail -F). */
export class LineFollower {
  readonly path: string;
  #offset = 0;
  #ino: number | null = null;
  #partial = "";
  readonly #decoder = new TextDecoder();

  constructor(path: string) {
    this.path = path;
  }

  /** Complete new lines; none when the file does not exist. */
  async read(): Promise<string[]> {
    const file = await ifFound(Deno.open(this.path, { read: true }));
    if (!file) return [];
    try {
      const info = await file.stat();
      if (info.ino !== this.#ino || info.size < this.#offset) {
        // Replaced or truncated: start from its beginning.
        this.#ino = info.ino;
        this.#offset = 0;
        this.#partial = "";
      }
      if (info.size === this.#offset) return [];
      await file.seek(this.#offset, Deno.SeekMode.Start);
      const buf = new Uint8Array(info.size - this.#offset);
      let got = 0;
      while (got < buf.length) {
        const n = await file.read(buf.subarray(got));
        if (n === null) break;
        got += n;
      }
      this.#offset += got;
      const text = this.#partial +
        this.#decoder.decode(buf.subarray(0, got), { stream: true });
      const lines = text.split("\n");
      this.#partial = lines.pop() ?? "";
      return lines.filter((l) => l.trim() !== "");
    } finally {
      file.close();
    }
  }
}

/** The last N non-empty lines of PATH (empty when it cannot be read). */
export async function tailLines(path: string, n: number): Promise<string[]> {
  try {
    const text = await Deno.readTextFile(path);
    return text.split("\n").filter((l) => l.trim() !== "").slice(-n);
  } catch {
    return [];
  }
}

const LOG_LEVELS: Record<string, Level> = {
  trace: "trace",
  debug: "debug",
  info: "info",
  warning: "warn",
  warn: "warn",
  error: "error",
  fatal: "error",
  panic: "error",
};

/** Re-logs one `ha.stderr.log` line (a JSON log record, or verbatim text) unless older than SINCE. */
function relogHostAgentLine(
  line: string,
  since: Date | undefined,
  extra: () => object,
) {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line);
    if (!record || typeof record !== "object" || Array.isArray(record)) {
      throw new Error("not an object");
    }
  } catch {
    logger.info(`[hostagent] ${line}`);
    return;
  }
  const { level, msg, time, ...fields } = record;
  const at = typeof time === "string" ? parseEventTime(time) : undefined;
  if (at && since && at < since) return;
  const lvl = LOG_LEVELS[String(level)] ?? "info";
  const message = `[hostagent] ${String(msg ?? "")}`;
  const more = / requirement \d+ of \d+ is satisfied$/.test(String(msg))
    ? extra()
    : {};
  logger[lvl](message, { ...fields, ...more });
}

export interface WatchOptions {
  instDir: string;
  /** Events and log records older than this are from an earlier run and ignored; none when unset. */
  since?: Date;
  /** How long to watch; no limit when unset. */
  timeoutMs?: number;
  /** Called for each new event; returns true when the watch is done. */
  onEvent: (event: HostAgentEvent) => boolean | Promise<boolean>;
  /** Settles (with how it ended) when the host agent process has exited. */
  hostAgentExited?: Promise<string>;
  /** Polling interval; default 100 ms. */
  intervalMs?: number;
  /** Re-log the host agent's `ha.stderr.log` records (default true; Lima's `propagateStderr`). */
  propagateStderr?: boolean;
  /** Add the time since the watch began to the re-logged "requirement … is satisfied" records (default true). */
  elapsedOnRequirements?: boolean;
  /** Ends the watch ("aborted") when aborted. */
  signal?: AbortSignal;
}

export type WatchOutcome = "done" | "timeout" | "aborted" | { exited: string };

/** Follows both log files until `onEvent` says done, the host agent exits, or time is up. */
export async function watchHostAgentEvents(
  o: WatchOptions,
): Promise<WatchOutcome> {
  const stdout = new LineFollower(
    join(o.instDir, InstanceFiles.hostAgentStdout),
  );
  const stderr = new LineFollower(
    join(o.instDir, InstanceFiles.hostAgentStderr),
  );
  const deadline = Date.now() + (o.timeoutMs ?? Infinity);
  const started = performance.now();
  const elapsed = () =>
    o.elapsedOnRequirements === false ? {} : {
      elapsed: `${((performance.now() - started) / 1000).toFixed(1)}s`,
    };
  const propagateStderr = o.propagateStderr ?? true;
  let exited: string | undefined;
  o.hostAgentExited?.then((how) => exited = how);
  for (;;) {
    // Checked before reading, so that the lines written just before the exit are still seen.
    const exitedBefore = exited;
    if (o.signal?.aborted) return "aborted";
    for (const line of await stderr.read()) {
      if (propagateStderr) relogHostAgentLine(line, o.since, elapsed);
    }
    for (const line of await stdout.read()) {
      let event: HostAgentEvent;
      try {
        event = parseEvent(line);
      } catch (err) {
        throw new LimaError({
          summary: `failed to parse an event of the host agent in ${
            quote(stdout.path)
          }`,
          detail: errorMessage(err),
        });
      }
      const at = parseEventTime(event.time);
      if (at && o.since && at < o.since) continue;
      if (await o.onEvent(event)) return "done";
      if (o.signal?.aborted) return "aborted";
    }
    if (exitedBefore !== undefined) return { exited: exitedBefore };
    if (Date.now() >= deadline) return "timeout";
    await sleep(o.intervalMs ?? 100, o.signal);
  }
}

/** The status as Lima prints it in messages (`status={…}`). */
export function formatStatus(status: EventStatus): string {
  return JSON.stringify(status);
}

/** The tails of `ha.stderr.log` and the serial log, for an error that says where to look. */
export async function logTails(instDir: string, lines = 10): Promise<string> {
  const parts: string[] = [];
  const stderrLog = join(instDir, InstanceFiles.hostAgentStderr);
  const records = (await tailLines(stderrLog, lines)).map((line) => {
    try {
      const { level, msg, time: _, ...fields } = JSON.parse(line) as Record<
        string,
        unknown
      >;
      // The other fields (the reason a check failed, an error) are often the point.
      const extra = Object.entries(fields).map(([k, v]) =>
        ` ${k}=${JSON.stringify(v)}`
      );
      return `${level ?? "info"}: ${msg ?? line}${extra.join("")}`;
    } catch {
      return line;
    }
  });
  if (records.length > 0) {
    parts.push(`last lines of ${stderrLog}:\n  ${records.join("\n  ")}`);
  }
  const serial = join(instDir, InstanceFiles.serialLog);
  const console = await tailLines(serial, lines);
  if (console.length > 0) {
    parts.push(`last lines of ${serial}:\n  ${console.join("\n  ")}`);
  }
  return parts.join("\n");
}

export interface WaitRunningOptions {
  instDir: string;
  name: string;
  since: Date;
  timeoutMs: number;
  hostAgentExited?: Promise<string>;
  /** Show cloud-init output lines (`--progress`). */
  progress?: boolean;
}

/** What a successful start ends with: which shell command to suggest. */
export function readyMessage(
  name: string,
  instDir: string,
  plain: boolean,
): string {
  if (plain) {
    return `READY. Run \`ssh -F ${
      quote(join(instDir, InstanceFiles.sshConfig))
    } lima-${name}\` to open the shell.`;
  }
  return `READY. Run \`${
    name === "default" ? "lima" : `limactl shell ${name}`
  }\` to open the shell.`;
}

/**
 * Waits for the `running` event (Lima's `watchHostAgentEvents`, `pkg/instance/start.go`), logging
 * the SSH port, errors and progress. Throws on `exiting`, `degraded`, the host agent's exit, or
 * timeout, with the tails of the logs.
 */
export async function waitForRunning(o: WaitRunningOptions): Promise<void> {
  const stderrLog = join(o.instDir, InstanceFiles.hostAgentStderr);
  const hint = `see ${quote(stderrLog)}`;
  let portShown = false;
  let failure: LimaError | undefined;
  let progressStarted = false;
  const outcome = await watchHostAgentEvents({
    instDir: o.instDir,
    since: o.since,
    timeoutMs: o.timeoutMs,
    hostAgentExited: o.hostAgentExited,
    onEvent: (event) => {
      const s = event.status;
      if (!portShown && s.sshLocalPort) {
        logger.info(`SSH Local Port: ${s.sshLocalPort}`);
        portShown = true;
      }
      if (o.progress && s.cloudInitProgress) {
        const p = s.cloudInitProgress;
        if (!progressStarted && p.active) {
          logger.info("Cloud-init provisioning started...");
          progressStarted = true;
        }
        if (p.logLine) logger.info(`[cloud-init] ${p.logLine}`);
        if (p.completed) logger.info("Cloud-init progress monitoring done.");
      }
      for (const e of s.errors ?? []) logger.error(e);
      if (s.exiting) {
        failure = new LimaError({
          summary: `exiting, status=${formatStatus(s)}`,
          hint,
        });
        return true;
      }
      if (s.running) {
        if (s.degraded) {
          logger.warn(
            `DEGRADED. The VM seems running, but file sharing and port forwarding may not work. (hint: ${hint})`,
          );
          failure = new LimaError({
            summary: `degraded, status=${formatStatus(s)}`,
          });
        }
        return true;
      }
      return false;
    },
  });
  // The status of an `exiting` or `degraded` event carries its errors.
  if (failure) throw failure;
  if (outcome === "done") return;
  const tails = await logTails(o.instDir);
  if (outcome === "timeout" || outcome === "aborted") {
    throw new LimaError({
      summary: `did not receive an event with the \`running\` status within ${
        Math.round(o.timeoutMs / 1000)
      }s`,
      detail: tails || undefined,
      hint,
    });
  }
  throw new LimaError({
    summary: `host agent process has exited: ${outcome.exited}`,
    detail: tails || undefined,
    hint,
  });
}
