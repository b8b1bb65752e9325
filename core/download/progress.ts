/**
 * Progress of a transfer: events for a callback, a bar on a terminal, or throttled log lines
 * (which `--log-format json` turns into JSON objects with numeric fields).
 */
import { logFormat, logger } from "../log.ts";

export type ProgressPhase = "download" | "decompress" | "copy";

export interface Progress {
  phase: ProgressPhase;
  /** The URL or path being read. */
  location: string;
  description?: string;
  /** Bytes done, counting bytes kept from an interrupted earlier attempt. */
  bytes: number;
  /** Bytes expected, when known. */
  total?: number;
  /** Average rate of this attempt. */
  bytesPerSecond: number;
  /** Seconds left at the current rate, when the total is known. */
  etaSeconds?: number;
  /** True on the last event of a transfer that completed. */
  done: boolean;
}

/**
 * `bar`: redraw one line on stderr; `log`: a log line every few seconds; `none`: only the
 * callback; `auto`: `bar` when stderr is a terminal, else `log`. Callers that log JSON
 * pass `log` so that progress stays machine-readable.
 */
export type ProgressStyle = "auto" | "bar" | "log" | "none";

export interface ProgressReporterOptions {
  phase: ProgressPhase;
  location: string;
  description?: string;
  total?: number;
  /** Bytes already present when this attempt started (a resumed download). */
  initialBytes?: number;
  style?: ProgressStyle;
  onProgress?: (p: Progress) => void;
  /** Where the bar goes (default: stderr). */
  writeBar?: (text: string) => void;
}

const CALLBACK_INTERVAL_MS = 100;
const BAR_INTERVAL_MS = 100;
const LOG_INTERVAL_MS = 5000;

const VERBS: Record<ProgressPhase, [string, string]> = {
  download: ["Downloading", "Downloaded"],
  decompress: ["Decompressing", "Decompressed"],
  copy: ["Copying", "Copied"],
};

/** Tracks one transfer and reports it in the chosen style. */
export class ProgressReporter {
  readonly #o: ProgressReporterOptions;
  readonly #style: Exclude<ProgressStyle, "auto">;
  readonly #started = performance.now();
  readonly #initial: number;
  #bytes: number;
  #lastCallback = 0;
  #lastBar = 0;
  #lastLog: number;
  #ended = false;

  constructor(options: ProgressReporterOptions) {
    this.#o = options;
    const style = options.style ?? "auto";
    this.#style = style === "auto"
      ? (Deno.stderr.isTerminal() && logFormat() === "text" ? "bar" : "log")
      : style;
    this.#initial = options.initialBytes ?? 0;
    this.#bytes = this.#initial;
    this.#lastLog = this.#started;
    if (this.#style === "log") this.#log(false);
  }

  /** Counts N more bytes. */
  add(n: number): void {
    this.#bytes += n;
    const now = performance.now();
    if (
      this.#o.onProgress && now - this.#lastCallback >= CALLBACK_INTERVAL_MS
    ) {
      this.#lastCallback = now;
      this.#o.onProgress(this.snapshot(false));
    }
    if (this.#style === "bar" && now - this.#lastBar >= BAR_INTERVAL_MS) {
      this.#lastBar = now;
      this.#bar(false);
    } else if (
      this.#style === "log" && now - this.#lastLog >= LOG_INTERVAL_MS
    ) {
      this.#lastLog = now;
      this.#log(false);
    }
  }

  /** Reports completion. */
  finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#o.onProgress?.(this.snapshot(true));
    if (this.#style === "bar") this.#bar(true);
    if (this.#style === "log") this.#log(true);
  }

  /** Ends the bar line after a failure, so that the error starts on a line of its own. */
  abort(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#style === "bar") this.#writeBar("\n");
  }

  snapshot(done: boolean): Progress {
    const seconds = (performance.now() - this.#started) / 1000;
    const rate = seconds > 0 ? (this.#bytes - this.#initial) / seconds : 0;
    const total = this.#o.total;
    return {
      phase: this.#o.phase,
      location: this.#o.location,
      description: this.#o.description,
      bytes: this.#bytes,
      total,
      bytesPerSecond: rate,
      etaSeconds: total !== undefined && rate > 0
        ? Math.max(0, (total - this.#bytes) / rate)
        : undefined,
      done,
    };
  }

  #writeBar(text: string): void {
    (this.#o.writeBar ??
      ((t) => Deno.stderr.writeSync(new TextEncoder().encode(t))))(text);
  }

  #bar(done: boolean): void {
    let columns = 80;
    try {
      columns = Deno.consoleSize().columns || columns;
    } catch {
      // Not a console; keep the default width.
    }
    this.#writeBar(
      `\r${formatBar(this.snapshot(done), columns)}\x1b[K${done ? "\n" : ""}`,
    );
  }

  #log(done: boolean): void {
    const p = this.snapshot(done);
    const [verb, past] = VERBS[p.phase];
    const fields: Record<string, unknown> = {
      ...(p.description ? { description: p.description } : {}),
      location: p.location,
      bytes: p.bytes,
    };
    if (p.total !== undefined) {
      fields.total = p.total;
      fields.percent = percent(p);
    }
    fields.bytesPerSecond = Math.round(p.bytesPerSecond);
    if (!done && p.etaSeconds !== undefined) {
      fields.etaSeconds = Math.round(p.etaSeconds);
    }
    logger.info(done ? past : verb, fields);
  }
}

function percent(p: Progress): number {
  if (!p.total) return p.done ? 100 : 0;
  return Math.min(100, Math.floor((p.bytes / p.total) * 1000) / 10);
}

/** `1.5 GiB`-style sizes. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(2)} ${units[i]}`;
}

/** `1:05`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** One line of the terminal bar: label, bytes, bar and percentage, rate, ETA; fits COLUMNS. */
export function formatBar(p: Progress, columns: number): string {
  const label = p.description ?? p.location;
  const size = p.total !== undefined
    ? `${formatBytes(p.bytes)} / ${formatBytes(p.total)}`
    : formatBytes(p.bytes);
  const rate = `${formatBytes(Math.round(p.bytesPerSecond))}/s`;
  const tail = p.done
    ? ` ${rate}`
    : ` ${rate}${
      p.etaSeconds !== undefined ? ` ETA ${formatDuration(p.etaSeconds)}` : ""
    }`;
  let middle = ` ${size}`;
  if (p.total !== undefined) {
    const pct = ` ${percent(p).toFixed(1).padStart(5)}%`;
    // The label comes first; the bar takes what is left, and is left out below 10 columns.
    const room = columns - 1 - Math.min(label.length, 40) - middle.length -
      tail.length - pct.length - 3;
    if (room >= 10) {
      const width = Math.min(room, 40);
      const filled = Math.round(
        (Math.min(p.bytes, p.total) / (p.total || 1)) * width,
      );
      middle += ` [${"=".repeat(filled)}${" ".repeat(width - filled)}]`;
    }
    middle += pct;
  }
  const labelRoom = Math.max(0, columns - 1 - middle.length - tail.length);
  const shown = label.length > labelRoom
    ? (labelRoom > 1 ? "…" + label.slice(label.length - labelRoom + 1) : "")
    : label;
  // A line wider than the terminal would wrap and break the redraw; cut it instead.
  return `${shown}${middle}${tail}`.slice(0, Math.max(0, columns - 1));
}
