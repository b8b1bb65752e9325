/**
 * Following the guest's consoles while it boots: each new phase is reported as it shows, and a
 * boot that cannot finish (a silent console, a kernel panic, no root file system, a failed sshd)
 * ends the watch with its cause long before `start --timeout` would.
 */
import { LineFollower } from "../line_follower.ts";
import { sleep } from "../sleep.ts";
import {
  type BootFailure,
  type BootPhaseName,
  consoleFailure,
  consolePhase,
  isLaterPhase,
  plainConsoleLine,
} from "./boot_phases.ts";

/** The kernel's echo of its command line, for the root device a failure should name. */
const KERNEL_ROOT_ARG = /\] Command line: (?:.*\s)?root=(\S+)/;

/** The `[    5.389355] ` a kernel message starts with: it repeats the time the phase has. */
const KERNEL_TIMESTAMP = /^\[\s*\d+\.\d+\]\s*/;

/** How many console lines a failure quotes. */
export const FAILURE_CONSOLE_LINES = 10;

export interface ConsoleWatchOptions {
  /** The driver's console logs (`DriverInfo.consoleLogs`); missing files are waited for. */
  consoleLogs: string[];
  /** A boot fails when no console has printed anything this long after the watch began. */
  silenceMs: number;
  onPhase: (phase: BootPhaseName, line: string) => void;
  /** Whether sshd answers already: then a silent console is normal (a quiet image). */
  sshdUp: () => boolean;
  /** Ends the watch (the boot is done, or the host agent stops). */
  signal: AbortSignal;
  /** Polling interval; default 250 ms. */
  intervalMs?: number;
}

/** Follows the consoles until SIGNAL aborts (undefined) or the boot is known to be stuck. */
export async function watchConsoles(
  o: ConsoleWatchOptions,
): Promise<BootFailure | undefined> {
  const followers = o.consoleLogs.map((path) => new LineFollower(path));
  const started = performance.now();
  const recent: string[] = [];
  let printed = false;
  let phase: BootPhaseName = "vm-started";
  let rootArg: string | undefined;
  let sshdFailures = 0;
  while (!o.signal.aborted) {
    for (const follower of followers) {
      for (const raw of await follower.read()) {
        const line = plainConsoleLine(raw);
        printed = true;
        recent.push(line);
        if (recent.length > FAILURE_CONSOLE_LINES) recent.shift();
        rootArg ??= KERNEL_ROOT_ARG.exec(line)?.[1];
        const failure = consoleFailure(line);
        if (failure?.kind === "sshd" && (o.sshdUp() || ++sshdFailures < 2)) {
          // systemd restarts sshd: one failure may pass, a repeated one will not.
          continue;
        }
        if (failure) {
          const cause = failure.kind === "root" && rootArg &&
              !failure.cause.includes("(")
            ? `${failure.cause} (root=${rootArg})`
            : failure.cause;
          return { ...failure, cause, console: [...recent] };
        }
        const seen = consolePhase(line);
        if (seen && isLaterPhase(seen, phase)) {
          phase = seen;
          o.onPhase(seen, line.replace(KERNEL_TIMESTAMP, "").trim());
        }
      }
    }
    if (
      !printed && !o.sshdUp() && performance.now() - started >= o.silenceMs
    ) {
      return silentConsole(o);
    }
    await sleep(o.intervalMs ?? 250, o.signal);
  }
  return undefined;
}

function silentConsole(o: ConsoleWatchOptions): BootFailure {
  return {
    kind: "silent",
    cause: `The guest printed nothing on its console within ${
      Math.round(o.silenceMs / 1000)
    }s of the VM's start`,
    hint:
      "the VM found nothing to boot: check the image's kernel and initrd (images[].kernel, images[].initrd) and the firmware (firmware.legacyBIOS); the console logs are " +
      o.consoleLogs.join(", "),
    console: [],
  };
}
