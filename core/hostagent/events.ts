/**
 * The host agent's event stream (Lima's `pkg/hostagent/events/events.go`): one JSON object per
 * line on its stdout, which `limactl start` redirects to `INSTDIR/ha.stdout.log` and follows.
 */
import type { PortForwardEvent } from "../portfwd/event.ts";
import type { BootFailure, BootPhase } from "./boot_phases.ts";

export interface CloudInitProgress {
  logLine?: string;
  completed?: boolean;
  active?: boolean;
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
  /** Ours, beside Lima's fields: the phase the boot has reached (core/hostagent/boot_phases.ts). */
  bootPhase?: BootPhase;
  /** Ours: why the boot cannot finish, on the `exiting` event that ends it. */
  bootFailure?: BootFailure;
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

  /** Re-sends the current status with EXTRA set (progress, port-forward and boot phase events). */
  emitWith(
    extra: Pick<EventStatus, "cloudInitProgress" | "portForward" | "bootPhase">,
  ): void {
    this.#line({ ...this.#current, ...extra });
  }

  #line(status: EventStatus): void {
    this.#write(new TextEncoder().encode(formatEvent(status) + "\n"));
  }
}
