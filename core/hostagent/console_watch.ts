/**
 * Following the guest's consoles while it boots: each new phase is reported as it shows, and a
 * boot that cannot finish (a silent console, a kernel panic, no root file system, a failed sshd,
 * cloud-init errors the boot cannot get past, no network address, a full disk) ends the watch
 * with its cause long before `start --timeout` would.
 */
import { LineFollower } from "../line_follower.ts";
import { sleep } from "../sleep.ts";
import {
  type BootFailure,
  type BootPhaseName,
  cloudInitError,
  cloudInitFinished,
  consoleFailure,
  consolePhase,
  diskFullLine,
  HINTS,
  isLaterPhase,
  netDeviceLine,
  type NetDeviceRow,
  nicWithoutAddress,
  plainConsoleLine,
} from "./boot_phases.ts";

/** The kernel's echo of its command line, for the root device a failure should name. */
const KERNEL_ROOT_ARG = /\] Command line: (?:.*\s)?root=(\S+)/;

/** The `[    5.389355] ` a kernel message starts with: it repeats the time the phase has. */
const KERNEL_TIMESTAMP = /^\[\s*\d+\.\d+\]\s*/;

/** How many console lines a failure quotes. */
export const FAILURE_CONSOLE_LINES = 10;

/** What the host sees of the guest besides its consoles. */
export interface GuestState {
  /** sshd answered with its banner. */
  sshdUp: boolean;
  /** sshd refused the host agent's key at its last login: the guest has no login for it. */
  loginRefused: boolean;
}

export interface ConsoleDiagnosisOptions {
  onPhase: (phase: BootPhaseName, line: string) => void;
  /** Told once of each cloud-init error that does not stop the boot. */
  onWarning?: (message: string) => void;
  /** The MAC address of the NIC the host reaches the guest through (nic0). */
  nicMac?: string;
}

/**
 * What the console lines, fed in order, say about the boot: its phases, and the failure that
 * ends it. Most failures show in one line; cloud-init's errors and a missing address take
 * several lines, or what the host sees (`GuestState`), which `check` looks at again each time.
 */
export class ConsoleDiagnosis {
  readonly #o: ConsoleDiagnosisOptions;
  readonly recent: string[] = [];
  #phase: BootPhaseName = "vm-started";
  #rootArg: string | undefined;
  #sshdFailures = 0;
  /** The rows of the `Net device info` table being printed. */
  #netRows: NetDeviceRow[] | undefined;
  /** Errors of cloud-init a boot needs to pass; the boot is stuck once the guest shows it. */
  readonly #cloudInit: string[] = [];
  #cloudInitWhat = new Set<string>();
  #cloudInitDone = false;
  #bootScripts = false;

  constructor(options: ConsoleDiagnosisOptions) {
    this.#o = options;
  }

  /** Feeds one console line; returns the failure it shows, if any. */
  line(raw: string, state: GuestState): BootFailure | undefined {
    const line = plainConsoleLine(raw);
    this.recent.push(line);
    if (this.recent.length > FAILURE_CONSOLE_LINES) this.recent.shift();
    this.#rootArg ??= KERNEL_ROOT_ARG.exec(line)?.[1];

    const full = diskFullLine(line);
    // A full disk breaks cloud-init and sshd too: named first, it is what the user must fix.
    // Once sshd answers, a program's ENOSPC (a provision filling a disk of its own) is no
    // reason to end the boot; the boot scripts' own check of the root file system still is.
    if (full && (full.definite || !state.sshdUp)) {
      return this.#fail({
        kind: "disk-full",
        cause: `The guest's disk is full${
          full.detail ? ` (${full.detail})` : " (No space left on device)"
        }`,
        hint: HINTS.diskFull,
      });
    }
    const failure = consoleFailure(line);
    if (
      failure?.kind === "sshd" && (state.sshdUp || ++this.#sshdFailures < 2)
    ) {
      // systemd restarts sshd: one failure may pass, a repeated one will not.
      return undefined;
    }
    if (failure) {
      const cause = failure.kind === "root" && this.#rootArg &&
          !failure.cause.includes("(")
        ? `${failure.cause} (root=${this.#rootArg})`
        : failure.cause;
      return this.#fail({ ...failure, cause });
    }
    const network = this.#netDeviceTable(line, state);
    if (network) return network;
    const error = cloudInitError(line);
    if (error) {
      if (error.severity === "fatal") {
        return this.#fail({
          kind: "cloud-init",
          cause: `cloud-init reported errors the boot cannot get past: ${
            [...this.#cloudInit, error.message].join("; ")
          }`,
          hint: HINTS.user,
        });
      }
      if (error.severity === "suspect") this.#cloudInit.push(error.message);
      else if (!this.#cloudInitWhat.has(error.what)) {
        this.#o.onWarning?.(
          `cloud-init reported an error the boot does not need to pass: ${error.message} (see /var/log/cloud-init.log in the guest)`,
        );
      }
      this.#cloudInitWhat.add(error.what);
    }
    if (cloudInitFinished(line)) this.#cloudInitDone = true;
    const seen = consolePhase(line);
    if (seen === "boot-scripts") this.#bootScripts = true;
    if (seen && isLaterPhase(seen, this.#phase)) {
      this.#phase = seen;
      this.#o.onPhase(seen, line.replace(KERNEL_TIMESTAMP, "").trim());
    }
    return this.check(state);
  }

  /**
   * The failure what the host sees now confirms: cloud-init reported an error in what the boot
   * needs, and the guest refuses the host's login, or cloud-init finished without starting the
   * boot scripts.
   */
  check(state: GuestState): BootFailure | undefined {
    if (this.#cloudInit.length === 0) return undefined;
    const stuck = state.loginRefused ||
      (this.#cloudInitDone && !this.#bootScripts);
    if (!stuck) return undefined;
    return this.#fail({
      kind: "cloud-init",
      cause: `cloud-init reported errors the boot cannot get past: ${
        this.#cloudInit.join("; ")
      }${
        state.loginRefused
          ? " (the guest refuses the host's SSH key)"
          : " (the boot scripts never started)"
      }`,
      hint: state.loginRefused ? HINTS.cloudInit : HINTS.bootScripts,
    });
  }

  /** Follows cloud-init's `Net device info` table; at its end, whether nic0 has an address. */
  #netDeviceTable(line: string, state: GuestState): BootFailure | undefined {
    const table = netDeviceLine(line);
    if (table && "title" in table) {
      this.#netRows = [];
      return undefined;
    }
    // Other programs' lines may come between the table's.
    if (this.#netRows === undefined || !table) return undefined;
    if ("row" in table) {
      this.#netRows.push(table.row);
      return undefined;
    }
    // The border under the header comes before any row; the one under the rows ends it.
    if ("other" in table && this.#netRows.length === 0) return undefined;
    const rows = this.#netRows;
    this.#netRows = undefined;
    const missing = nicWithoutAddress(rows, this.#o.nicMac);
    // With an address the host cannot reach sshd (user-mode networking forwards to it): once
    // sshd answered, the table says nothing the host needs.
    if (!missing || state.sshdUp) return undefined;
    return this.#fail({
      kind: "network",
      cause: `The guest did not get a network address: ${missing}`,
      hint: HINTS.network,
    });
  }

  #fail(failure: Omit<BootFailure, "console">): BootFailure {
    return { ...failure, console: [...this.recent] };
  }
}

export interface ConsoleWatchOptions {
  /** The driver's console logs (`DriverInfo.consoleLogs`); missing files are waited for. */
  consoleLogs: string[];
  /** A boot fails when no console has printed anything this long after the watch began. */
  silenceMs: number;
  onPhase: (phase: BootPhaseName, line: string) => void;
  /** Told once of each cloud-init error that does not stop the boot. */
  onWarning?: (message: string) => void;
  /** Whether sshd answers already: then a silent console is normal (a quiet image). */
  sshdUp: () => boolean;
  /** Whether sshd refused the host agent's key at its last login (default: never). */
  loginRefused?: () => boolean;
  /** The MAC address of the NIC the host reaches the guest through (nic0). */
  nicMac?: string;
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
  const diagnosis = new ConsoleDiagnosis({
    onPhase: o.onPhase,
    onWarning: o.onWarning,
    nicMac: o.nicMac,
  });
  const state = (): GuestState => ({
    sshdUp: o.sshdUp(),
    loginRefused: o.loginRefused?.() ?? false,
  });
  let printed = false;
  while (!o.signal.aborted) {
    for (const follower of followers) {
      for (const raw of await follower.read()) {
        printed = true;
        const failure = diagnosis.line(raw, state());
        if (failure) return failure;
      }
    }
    const failure = diagnosis.check(state());
    if (failure) return failure;
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
