/**
 * The boot's progress as the host agent reports it: the phases the guest's consoles show
 * (console_watch.ts) and those only the host sees (VM started, sshd answering, each requirement,
 * boot scripts done, READY), each one `bootPhase` event; the failure that ends a stuck boot; and
 * as warnings, the cloud-init errors that do not stop it.
 */
import { relative } from "node:path";
import { logger } from "../log.ts";
import type { BootFailure, BootPhaseName } from "./boot_phases.ts";
import { watchConsoles } from "./console_watch.ts";
import type { EventWriter } from "./events.ts";

/**
 * How long the consoles may stay silent after the VM started. Under TCG emulation the test guest
 * prints its first kernel line 3-6 s after QEMU starts, whether booted directly or through
 * SeaBIOS or OVMF and GRUB; 60 s leaves room for a loaded host and slow firmware, and still
 * fails a start that has nothing to boot within 90 s.
 */
export const BOOT_SILENCE_MS = 60_000;

export interface BootProgressOptions {
  events: EventWriter;
  instDir: string;
  /** The driver's `consoleLogs`; only files in the instance directory are read. */
  consoleLogs: string[];
  silenceMs?: number;
  /** The MAC address of nic0, through which the host reaches the guest. */
  nicMac?: string;
}

export class BootProgress {
  readonly #o: BootProgressOptions;
  readonly #done = new AbortController();
  #sshdUp = false;
  #loginRefused = false;

  constructor(options: BootProgressOptions) {
    this.#o = options;
  }

  /** Emits PHASE with DETAIL as a `bootPhase` event. */
  phase(phase: BootPhaseName, detail?: string): void {
    this.#o.events.emitWith({ bootPhase: { phase, detail } });
  }

  /** SSH answered with its banner; the first time, that is the `sshd` phase. */
  sshdAnswered(): void {
    if (this.#sshdUp) return;
    this.#sshdUp = true;
    this.phase("sshd");
  }

  /** Whether sshd refused the host agent's key at its last login: the guest has no login for it. */
  loginRefused(refused: boolean): void {
    this.#loginRefused = refused;
  }

  /**
   * Follows the consoles from now until `finish`; settles only when the boot is stuck, with
   * why. A driver that declares no consoles gets no phases and no failure from them.
   */
  stuck(): Promise<BootFailure> {
    const logs = this.#o.consoleLogs.filter((path) =>
      // A sandboxed driver must not make the host agent quote files outside its instance.
      !relative(this.#o.instDir, path).startsWith("..")
    );
    if (logs.length === 0) return new Promise(() => {});
    return watchConsoles({
      consoleLogs: logs,
      silenceMs: this.#o.silenceMs ?? BOOT_SILENCE_MS,
      onPhase: (phase, line) => this.phase(phase, line),
      onWarning: (message) => logger.warn(message),
      sshdUp: () => this.#sshdUp,
      loginRefused: () => this.#loginRefused,
      nicMac: this.#o.nicMac,
      signal: this.#done.signal,
    }).then((failure) => {
      if (failure) return failure;
      return new Promise<never>(() => {});
    }, (err) => {
      logger.warn(`failed to follow the guest's console: ${err}`);
      return new Promise<never>(() => {});
    });
  }

  /** The boot is over (READY, or the host agent stops): the consoles are no longer followed. */
  finish(): void {
    this.#done.abort();
  }
}

/** The message of a stuck boot: its cause and the console lines that show it. */
export function bootFailureMessage(failure: BootFailure): string {
  const lines = failure.console.length > 0
    ? `\nlast lines of the guest's console:\n  ${failure.console.join("\n  ")}`
    : "";
  return `${failure.cause}${lines}`;
}
