/**
 * `limactl watch` (Lima's `cmd/limactl/watch.go`): follows the host agent events of the named
 * instances, or of every instance and of those created while it runs, until stopped. Events go
 * to stdout, one line per change (human-readable) or one JSON object per event (`--json`);
 * status lines go to stderr. An instance that does not exist is warned about and skipped; one
 * that is not running is followed all the same (its events appear when it starts).
 */
import { errorMessage } from "../errors.ts";
import {
  eventDateTime,
  type EventStatus,
  goEvent,
  type HostAgentEvent,
} from "../hostagent/events.ts";
import { goJSON } from "../go_json.ts";
import { hasConfigFile, instanceNames } from "../instance/instance.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { instanceNameProblem } from "../store/names.ts";
import { instanceDir, InstanceFiles, joinPath } from "../store/paths.ts";
import { sleep } from "../sleep.ts";
import { watchHostAgentEvents } from "./watch_events.ts";

export interface WatchInstancesOptions {
  /** The instances to follow; none: every instance, and those that appear later. */
  names: string[];
  /** One JSON object per event (`{"instance":…,"event":…}`) instead of text lines. */
  json?: boolean;
  /** Include the events from before the watch began. */
  history?: boolean;
  /** Re-log the host agents' own log records (`--verbose`). */
  propagateStderr?: boolean;
  /** Writes one line of output (without its newline). */
  write: (line: string) => void;
  /** Writes one status line (without its newline); Lima prints these on stderr. */
  status: (line: string) => void;
  /** Ends the watch. */
  signal?: AbortSignal;
  /** How often the logs (and LIMA_HOME, for new instances) are read; default 100 ms. */
  intervalMs?: number;
}

/** Follows the instances' events until SIGNAL aborts; a failed write (stdout closed) ends it too. */
export async function watchInstances(o: WatchInstancesOptions): Promise<void> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  o.signal?.addEventListener("abort", onAbort, { once: true });
  if (o.signal?.aborted) stop.abort();
  const begin = o.history ? undefined : new Date();
  const watching = new Set<string>();
  const watchers: Promise<void>[] = [];
  let writeFailure: unknown;
  const emit = (line: string) => {
    try {
      o.write(line);
    } catch (err) {
      writeFailure ??= err;
      stop.abort();
    }
  };

  const startInstance = async (name: string) => {
    if (watching.has(name)) return;
    watching.add(name);
    const problem = await whyNotAnInstance(name);
    if (problem) {
      logger.warn(`Failed to inspect instance ${quote(name)}`, {
        error: problem,
      });
      watching.delete(name);
      return;
    }
    watchers.push(followInstance(name));
  };

  const followInstance = async (name: string) => {
    try {
      await watchHostAgentEvents({
        instDir: instanceDir(name),
        since: begin,
        propagateStderr: o.propagateStderr ?? false,
        elapsedOnRequirements: false,
        signal: stop.signal,
        intervalMs: o.intervalMs,
        onEvent: (event) => {
          if (o.json) {
            emit(goJSON({ instance: name, event: goEvent(event) }));
          } else {
            for (const line of eventLines(name, event)) emit(line);
          }
          return false;
        },
      });
    } catch (err) {
      if (stop.signal.aborted) return;
      logger.warn(`Watcher for instance ${quote(name)} stopped`, {
        error: errorMessage(err),
      });
    }
  };

  const watchAll = o.names.length === 0;
  const names = watchAll ? instanceNames() : o.names;
  if (watchAll && names.length === 0) {
    o.status(statusLine("No instances found"));
  }
  for (const name of names) await startInstance(name);
  o.status(statusLine("Watching for events..."));

  try {
    while (!stop.signal.aborted) {
      await sleep(o.intervalMs ?? 100, stop.signal);
      if (!watchAll || stop.signal.aborted) continue;
      // Lima is told by the file system; a look at LIMA_HOME every interval finds the same.
      for (const name of instanceNames()) {
        if (watching.has(name)) continue;
        if (!await hasConfigFile(instanceDir(name))) continue;
        o.status(statusLine(`New instance detected: ${name}`));
        await startInstance(name);
      }
    }
  } finally {
    stop.abort();
    o.signal?.removeEventListener("abort", onAbort);
    await Promise.all(watchers);
  }
  if (writeFailure !== undefined) throw writeFailure;
}

/** Why `store.Inspect` would fail for NAME: an invalid name, or no `lima.yaml`. */
async function whyNotAnInstance(name: string): Promise<string | undefined> {
  const problem = instanceNameProblem(name);
  if (problem) return problem;
  const dir = instanceDir(name);
  if (await hasConfigFile(dir)) return undefined;
  return `open ${
    joinPath(dir, InstanceFiles.limaYAML)
  }: no such file or directory`;
}

/** Lima's `printStatus`: the local time (`time.DateTime`) and MSG. */
export function statusLine(msg: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${
    p(now.getHours())
  }:${p(now.getMinutes())}:${p(now.getSeconds())} ${msg}`;
}

/** Lima's `printHumanReadableEvent`: one `TIME INSTANCE | MESSAGE` line per thing the event says. */
export function eventLines(name: string, event: HostAgentEvent): string[] {
  const time = eventDateTime(event.time);
  return eventMessages(event.status).map((msg) => `${time} ${name} | ${msg}`);
}

function eventMessages(s: EventStatus): string[] {
  const out: string[] = [];
  if (s.running) out.push(s.degraded ? "running (degraded)" : "running");
  if (s.exiting) out.push("exiting");
  if (s.sshLocalPort) out.push(`ssh available on port ${s.sshLocalPort}`);
  for (const e of s.errors ?? []) out.push(`error: ${e}`);
  const progress = s.cloudInitProgress;
  if (progress?.completed) out.push("cloud-init completed");
  else if (progress?.logLine) out.push(`cloud-init: ${progress.logLine}`);
  const pf = s.portForward;
  const [protocol, guest] = [pf?.protocol ?? "", pf?.guestAddr ?? ""];
  switch (pf?.type) {
    case "forwarding":
      out.push(`forwarding ${protocol} ${guest} to ${pf.hostAddr ?? ""}`);
      break;
    case "not-forwarding":
      out.push(`not forwarding ${protocol} ${guest}`);
      break;
    case "stopping":
      out.push(`stopping forwarding ${protocol} ${guest}`);
      break;
    case "failed":
      out.push(
        `failed to forward ${protocol} ${guest}: ${pf.error ?? ""}`,
      );
      break;
  }
  const vsock = s.vsock;
  switch (vsock?.type) {
    case "started":
      out.push(
        `started vsock forwarder: ${vsock.hostAddr ?? ""} -> vsock:${
          vsock.vsockPort ?? 0
        }`,
      );
      break;
    case "skipped":
      out.push(`skipped vsock forwarder: ${vsock.reason ?? ""}`);
      break;
    case "failed":
      out.push(`failed to start vsock forwarder: ${vsock.reason ?? ""}`);
      break;
  }
  return out;
}
