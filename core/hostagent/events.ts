/**
 * The host agent's event stream (Lima's `pkg/hostagent/events/events.go`): one JSON object per
 * line on its stdout, which `limactl start` redirects to `INSTDIR/ha.stdout.log` and follows.
 */
import type { PortForwardEvent } from "../portfwd/event.ts";

export interface CloudInitProgress {
  logLine?: string;
  completed?: boolean;
  active?: boolean;
}

/** A vsock forwarder's start, as Lima's host agent reports it (this one has none). */
export interface VsockEvent {
  type: "started" | "skipped" | "failed";
  hostAddr?: string;
  vsockPort?: number;
  reason?: string;
}

/** `status` of an event; every key is omitted when zero or empty. */
export interface EventStatus {
  running?: boolean;
  degraded?: boolean;
  exiting?: boolean;
  errors?: string[];
  sshLocalPort?: number;
  cloudInitProgress?: CloudInitProgress;
  portForward?: PortForwardEvent;
  vsock?: VsockEvent;
}

export interface HostAgentEvent {
  /** RFC 3339 with fractional seconds and the local offset. */
  time: string;
  status: EventStatus;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** DATE as RFC 3339 in local time with milliseconds, as Go's RFC3339Nano prints it (trailing zeros dropped). */
export function formatEventTime(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0
    ? "Z"
    : `${offset > 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offset) / 60))}:${
      pad(Math.abs(offset) % 60)
    }`;
  const fraction = pad(date.getMilliseconds(), 3).replace(/0+$/, "");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${
    pad(date.getDate())
  }T${pad(date.getHours())}:${pad(date.getMinutes())}:${
    pad(date.getSeconds())
  }${fraction ? `.${fraction}` : ""}${zone}`;
}

/** Parses an RFC 3339 time with any number of fractional digits (truncated to milliseconds). */
export function parseEventTime(text: string): Date | undefined {
  const m =
    /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i
      .exec(text.trim());
  if (!m) return undefined;
  const ms = (m[2] ?? "").slice(0, 3).padEnd(3, "0");
  const date = new Date(`${m[1]}.${ms}${m[3].toUpperCase()}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Drops keys that are zero, false or empty, as Go's `omitempty` does. */
function compact(status: EventStatus): EventStatus {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(status)) {
    if (
      value === undefined || value === false || value === 0 || value === "" ||
      (Array.isArray(value) && value.length === 0)
    ) continue;
    out[key] = value;
  }
  return out as EventStatus;
}

/** One event line (without the newline). */
export function formatEvent(status: EventStatus, now = new Date()): string {
  return JSON.stringify({
    time: formatEventTime(now),
    status: compact(status),
  });
}

/** Parses one line of `ha.stdout.log`; throws when it is not an event. */
export function parseEvent(line: string): HostAgentEvent {
  const value = JSON.parse(line) as unknown;
  if (
    !value || typeof value !== "object" ||
    typeof (value as { time?: unknown }).time !== "string"
  ) {
    throw new Error(`not a host agent event: ${line}`);
  }
  const event = value as { time: string; status?: EventStatus };
  return { time: event.time, status: event.status ?? {} };
}

/** Writes events one whole line at a time (each write is a single `write(2)`). */
export class EventWriter {
  readonly #write: (bytes: Uint8Array) => void;
  #current: EventStatus = {};

  constructor(write: (bytes: Uint8Array) => void) {
    this.#write = write;
  }

  /** Emits STATUS and remembers it as the current status. */
  emit(status: EventStatus): void {
    this.#current = { ...status };
    this.#line(status);
  }

  /** Re-sends the current status with EXTRA set (progress and port-forward events). */
  emitWith(
    extra: Pick<EventStatus, "cloudInitProgress" | "portForward">,
  ): void {
    this.#line({ ...this.#current, ...extra });
  }

  #line(status: EventStatus): void {
    this.#write(new TextEncoder().encode(formatEvent(status) + "\n"));
  }
}

const RFC3339 =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An event time as Go prints a `time.Time` it parsed from TEXT (RFC 3339 with nanoseconds,
 * trailing zeros of the fraction dropped, a zero offset as `Z`); TEXT itself when it is not
 * RFC 3339.
 */
export function goEventTime(text: string): string {
  const m = RFC3339.exec(text);
  if (!m) return text;
  const fraction = (m[2] ?? "").slice(0, 9).replace(/0+$/, "");
  const zone = /^(z|[+-]00:00)$/i.test(m[3]) ? "Z" : m[3];
  return `${m[1]}${fraction ? `.${fraction}` : ""}${zone}`;
}

/** The wall-clock time of an event time in its own offset, as Go's `time.DateTime` layout. */
export function eventDateTime(text: string): string {
  const m = RFC3339.exec(text);
  return m ? m[1].replace("T", " ") : text;
}

/** Keeps strings, else "" (Go's zero value). */
const str = (v: unknown) => typeof v === "string" ? v : "";

/**
 * EVENT as Lima's `events.Event` marshals it: the fields of its Go structs in their order,
 * those tagged `omitempty` left out when zero, unknown fields dropped.
 */
export function goEvent(event: HostAgentEvent): {
  time: string;
  status: Record<string, unknown>;
} {
  const s = event.status as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    if (
      value === undefined || value === null || value === false ||
      value === 0 || value === "" || (Array.isArray(value) && !value.length)
    ) return;
    out[key] = value;
  };
  put("running", s.running === true);
  put("degraded", s.degraded === true);
  put("exiting", s.exiting === true);
  put("errors", Array.isArray(s.errors) ? s.errors.map(str) : undefined);
  put("sshLocalPort", typeof s.sshLocalPort === "number" ? s.sshLocalPort : 0);
  const progress = object(s.cloudInitProgress);
  if (progress) {
    out.cloudInitProgress = omitEmpty({
      logLine: str(progress.logLine),
      completed: progress.completed === true,
      active: progress.active === true,
    });
  }
  const pf = object(s.portForward);
  if (pf) {
    out.portForward = {
      type: str(pf.type),
      ...omitEmpty({
        protocol: str(pf.protocol),
        guestAddr: str(pf.guestAddr),
        hostAddr: str(pf.hostAddr),
        error: str(pf.error),
      }),
    };
  }
  const vsock = object(s.vsock);
  if (vsock) {
    out.vsock = {
      type: str(vsock.type),
      ...omitEmpty({
        hostAddr: str(vsock.hostAddr),
        vsockPort: typeof vsock.vsockPort === "number" ? vsock.vsockPort : 0,
        reason: str(vsock.reason),
      }),
    };
  }
  return { time: goEventTime(event.time), status: out };
}

function object(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v)
    ? v as Record<string, unknown>
    : undefined;
}

function omitEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) =>
      v !== "" && v !== 0 && v !== false
    ),
  );
}
