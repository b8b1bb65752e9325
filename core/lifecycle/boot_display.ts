/**
 * How `limactl start` shows the boot's phases (the host agent's `bootPhase` events) with the
 * time since the start began: on a terminal one line redrawn in place, otherwise one log line
 * per phase. Like the download progress (core/download/progress.ts), the style follows stderr.
 */
import { configureLogger, logFormat, logger, loggerWrite } from "../log.ts";
import { type BootPhase, PHASE_LABELS } from "../hostagent/boot_phases.ts";

export type BootDisplayStyle = "line" | "log";

export interface BootDisplayOptions {
  /** When `limactl start` began; elapsed times count from it. */
  since: Date;
  /** Default: `line` when stderr is a terminal and logs are text, else `log`. */
  style?: BootDisplayStyle;
  /** Where the line goes (default: stderr). */
  write?: (text: string) => void;
  /** The line's width (default: the terminal's). */
  columns?: number;
  /** How often the line's clock is redrawn (default 1 s). */
  tickMs?: number;
}

/** The most of a console line a phase quotes. */
const DETAIL_CHARS = 72;

/** `12.3s` since SINCE. */
function elapsed(since: Date, at: Date): string {
  return `${(Math.max(0, at.getTime() - since.getTime()) / 1000).toFixed(1)}s`;
}

/** PHASE's label (its name when a newer host agent sent one we do not know). */
function phaseLabel(phase: BootPhase): string {
  return PHASE_LABELS[phase.phase] ?? phase.phase;
}

/** How PHASE reads: its label, and the requirement or console line it came with. */
export function describePhase(phase: BootPhase): string {
  const label = phaseLabel(phase);
  if (!phase.detail) return label;
  const detail = phase.detail.length > DETAIL_CHARS
    ? `${phase.detail.slice(0, DETAIL_CHARS - 1)}…`
    : phase.detail;
  return `${label}: ${detail}`;
}

export class BootDisplay {
  readonly #o: BootDisplayOptions;
  readonly #style: BootDisplayStyle;
  #current: { label: string; detail?: string; at: Date } | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #restoreLog: (() => void) | undefined;

  constructor(options: BootDisplayOptions) {
    this.#o = options;
    this.#style = options.style ??
      (Deno.stderr.isTerminal() && logFormat() === "text" ? "line" : "log");
  }

  /** Shows PHASE, reached at AT. */
  show(phase: BootPhase, at: Date): void {
    if (this.#style === "log") {
      logger.info(`Boot phase: ${describePhase(phase)}`, {
        elapsed: elapsed(this.#o.since, at),
      });
      return;
    }
    this.#current = { label: phaseLabel(phase), detail: phase.detail, at };
    if (this.#timer === undefined) this.#begin();
    this.#draw();
  }

  /** Ends the line (before READY or an error), leaving the last phase on screen. */
  end(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#restoreLog?.();
    this.#draw();
    this.#write("\n");
  }

  #begin(): void {
    this.#timer = setInterval(() => this.#draw(), this.#o.tickMs ?? 1000);
    // Log lines printed meanwhile take the line's place, and the line is drawn again below them.
    const write = loggerWrite();
    configureLogger({
      write: (line) => {
        this.#write("\r\x1b[K");
        write(line);
        this.#draw();
      },
    });
    this.#restoreLog = () => configureLogger({ write });
  }

  #draw(): void {
    if (!this.#current) return;
    const now = elapsed(this.#o.since, new Date());
    const { label, detail } = this.#current;
    const at = elapsed(this.#o.since, this.#current.at);
    // The label first: a narrow terminal cuts the console line it quotes, not the phase.
    const line = `Booting [${now}] ${label} (at ${at})${
      detail ? `: ${detail}` : ""
    }`;
    const width = this.#o.columns ?? terminalColumns();
    this.#write(`\r\x1b[K${line.slice(0, Math.max(20, width - 1))}`);
  }

  #write(text: string): void {
    (this.#o.write ??
      ((t) => Deno.stderr.writeSync(new TextEncoder().encode(t))))(text);
  }
}

/** The terminal's width; 80 when it is not known (a pseudo-terminal nobody sized says 0). */
function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}
