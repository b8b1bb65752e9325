/**
 * What a line of the guest's console says about the boot: the phase it shows (firmware, boot
 * loader, kernel, initrd, init, cloud-init's stages, our boot scripts) or a failure that means the
 * boot will never reach sshd. Pure, so that real console excerpts can test it.
 */

/**
 * The phases of a boot in the order they happen. The console shows the ones up to
 * `boot-scripts`; the host agent adds `vm-started` and those from `sshd` on.
 */
export const BOOT_PHASES = [
  "vm-started",
  "firmware",
  "bootloader",
  "kernel",
  "initrd",
  "userspace",
  "cloud-init-local",
  "cloud-init-network",
  "cloud-init-config",
  "cloud-init-final",
  "boot-scripts",
  "sshd",
  "requirement",
  "boot-scripts-done",
  "ready",
] as const;

export type BootPhaseName = typeof BOOT_PHASES[number];

/** One phase as events carry it; DETAIL names the requirement or quotes the console. */
export interface BootPhase {
  phase: BootPhaseName;
  detail?: string;
}

/** Why a boot cannot finish, as the `exiting` event carries it. */
export interface BootFailure {
  kind: BootFailureKind;
  /** A sentence-case summary naming the cause. */
  cause: string;
  hint: string;
  /** The last lines of the guest's consoles. */
  console: string[];
}

/**
 * What stopped a boot: a silent console, a kernel panic, no root file system, sshd, cloud-init
 * errors the boot cannot get past, no network address, a full disk.
 */
export type BootFailureKind =
  | "silent"
  | "panic"
  | "root"
  | "sshd"
  | "cloud-init"
  | "network"
  | "disk-full";

/** How a phase reads in `limactl start`'s output. */
export const PHASE_LABELS: Record<BootPhaseName, string> = {
  "vm-started": "VM started",
  firmware: "firmware",
  bootloader: "boot loader",
  kernel: "kernel",
  initrd: "initrd",
  userspace: "userspace",
  "cloud-init-local": "cloud-init init-local",
  "cloud-init-network": "cloud-init init",
  "cloud-init-config": "cloud-init modules:config",
  "cloud-init-final": "cloud-init modules:final",
  "boot-scripts": "boot scripts",
  sshd: "sshd up",
  requirement: "requirement satisfied",
  "boot-scripts-done": "boot scripts done",
  ready: "READY",
};

/** Console patterns of each phase, tried in order; the first match wins. */
const PHASE_PATTERNS: [RegExp, BootPhaseName][] = [
  [/SeaBIOS \(version|BdsDxe:|UEFI Interactive Shell|EDK II/, "firmware"],
  [/GNU GRUB|Booting `|systemd-boot|Loading Linux /, "bootloader"],
  [/\bLinux version \d/, "kernel"],
  [/Run \/init as init process|Loading, please wait\.\.\./, "initrd"],
  [/systemd\[1\]: |Welcome to .*!|^INIT: version/, "userspace"],
  [/Cloud-init v\. \S+ running 'init-local'/, "cloud-init-local"],
  [/Cloud-init v\. \S+ running 'init'/, "cloud-init-network"],
  [/Cloud-init v\. \S+ running 'modules:config'/, "cloud-init-config"],
  [/Cloud-init v\. \S+ running 'modules:final'/, "cloud-init-final"],
  // Printed by core/cidata/boot/boot.sh.
  [/^LIMA\| boot scripts started/, "boot-scripts"],
];

export const HINTS = {
  kernel:
    "check the kernel, initrd and kernel command line of the image (images[].kernel) and the console log",
  root:
    "check root= on the kernel command line (images[].kernel.cmdline) and that the image is a disk the kernel can read",
  sshd:
    "the guest's sshd configuration or host keys are broken; see the console log and `journalctl -u ssh` in the guest",
  user:
    "cloud-init could not create the guest's user: check `user` in lima.yaml (name, uid, home) against the accounts the image has, and /var/log/cloud-init.log in the guest",
  cloudInit:
    "cloud-init did not set up the user and its SSH key, so the guest refuses the host's login: the console lines above say why; check `user` in lima.yaml and /var/log/cloud-init.log in the guest",
  bootScripts:
    "cloud-init finished without starting the boot scripts (its write_files or bootcmd failed): see the console log and /var/log/cloud-init.log in the guest",
  network:
    "the guest's network configuration or its DHCP client never gave the first NIC an address: check `networks` in lima.yaml and the image's network setup (systemd-networkd, netplan, ifupdown) in the console log",
  diskFull:
    "the guest's root file system has no free block left, so cloud-init and the boot scripts cannot write: free space in the instance's disk from the host (e.g. with guestfish, or qemu-nbd and a mount); a bigger disk (`limactl edit --disk`) only helps a guest that can still grow its file system at boot",
};

/** Failure patterns; root file system ones come first, as the kernel's own panic names them too. */
const FAILURE_PATTERNS: [
  BootFailureKind,
  RegExp,
  (m: RegExpExecArray) => string,
  string,
][] = [
  [
    "root",
    /VFS: Unable to mount root fs|Gave up waiting for root (?:file system )?device|ALERT!\s+(\S+) does not exist\.\s+Dropping to a shell/,
    (m) =>
      `The guest did not find its root file system${
        m[1] ? ` (${m[1]} does not exist)` : ""
      }`,
    HINTS.root,
  ],
  [
    "panic",
    /Kernel panic - not syncing:\s*(.*)/,
    (m) => `The guest kernel panicked: ${m[1].trim()}`,
    HINTS.kernel,
  ],
  [
    "sshd",
    // systemd shortens the unit's name to fit the console ("ssh.servic…"), and Debian's and
    // Fedora's units are ssh.service and sshd.service.
    /Failed to start (sshd?)\.s|Failed to start .*OpenBSD Secure Shell|Failed to start .*OpenSSH/,
    (m) =>
      `The guest's sshd failed to start${m[1] ? ` (${m[1]}.service)` : ""}`,
    HINTS.sshd,
  ],
];

/**
 * A write that failed for want of space (ENOSPC), as the guest's programs print it: cloud-init's
 * Python tracebacks, coreutils, systemd, and the marker of our boot scripts (boot.sh, lima-init).
 * inotify reports a full watch table with the same errno, which says nothing about the disk.
 */
const NO_SPACE = /No space left on device(?::\s*'?([^'\s]+)'?)?/;
const ENOSPC = /\[Errno 28\]/;
const DISK_FULL_MARKER = /^LIMA\| disk full: (.*)/;
const NOT_A_DISK = /inotify|watch/i;

/**
 * What a line says of a full disk: the marker of our boot scripts (`definite`), or a program's
 * ENOSPC error, with the path it could not write when it names one.
 */
export function diskFullLine(
  line: string,
): { definite: boolean; detail?: string } | undefined {
  const text = plainConsoleLine(line);
  const marker = DISK_FULL_MARKER.exec(text);
  if (marker) return { definite: true, detail: marker[1].trim() };
  const m = NO_SPACE.exec(text);
  if ((!m && !ENOSPC.test(text)) || NOT_A_DISK.test(text)) return undefined;
  return { definite: false, detail: m?.[1] ? `writing ${m[1]}` : undefined };
}

/** How much a cloud-init error matters to a Lima boot. */
export type CloudInitSeverity =
  /** The guest's user does not exist: nobody can log in, the boot is stuck. */
  | "fatal"
  /** Something the boot needs failed (the user, its keys, the boot scripts): stuck once the guest shows it. */
  | "suspect"
  /** A module the boot does not need failed (time zone, locale, packages): the boot goes on. */
  | "harmless";

export interface CloudInitError {
  /** What failed, as a user reads it: `module users_groups failed`. */
  message: string;
  /** The cloud-init module (`users_groups`), or stage (`stage init`). */
  what: string;
  severity: CloudInitSeverity;
}

/**
 * The cloud-init modules a Lima boot needs (core/cidata/user_data.ts): the user and its SSH keys,
 * and write_files, which writes the per-boot script that starts the boot scripts.
 */
const NEEDED_MODULES = ["users_groups", "ssh", "write_files"];

/** cloud-init's own warnings on the console: `util.py[WARNING]: Running module ssh (<module …>) failed`. */
const MODULE_FAILED =
  /Running module ([\w-]+)(?: \(<module '(?:[\w.]*\.)?(?:cc_)?(\w+)'[^)]*\))? failed/;
const USER_FAILED = /Failed to create user (\S+)/;
const STAGE_FAILED = /\bfailed stage ([\w:-]+)/;
const NO_DATASOURCE = /Used fallback datasource/;
/** How cloud-init's log handler marks a record it prints on the console: `util.py[WARNING]: `. */
const LOG_LEVEL = /\w\[(?:WARNING|ERROR|CRITICAL)\]: /;

/** The cloud-init error LINE reports, if any. */
export function cloudInitError(line: string): CloudInitError | undefined {
  const text = plainConsoleLine(line);
  // Only cloud-init's own records: a provision's output may say anything.
  if (!LOG_LEVEL.test(text)) return undefined;
  const user = USER_FAILED.exec(text);
  if (user) {
    return {
      message: `it could not create the user ${user[1]}`,
      what: "users_groups",
      severity: "fatal",
    };
  }
  const module = MODULE_FAILED.exec(text);
  if (module) {
    const name = module[2] ?? module[1].replaceAll("-", "_");
    return {
      message: `module ${name} failed`,
      what: name,
      severity: NEEDED_MODULES.includes(name) ? "suspect" : "harmless",
    };
  }
  const stage = STAGE_FAILED.exec(text);
  if (stage) {
    // The network stage makes the user and its keys and queues the boot scripts; a crash of
    // the others leaves the next stage to do their work.
    return {
      message: `its ${stage[1]} stage crashed`,
      what: `stage ${stage[1]}`,
      severity: stage[1] === "init" ? "suspect" : "harmless",
    };
  }
  if (NO_DATASOURCE.test(text)) {
    return {
      message: "it did not find the cidata seed (fallback datasource)",
      what: "datasource",
      severity: "suspect",
    };
  }
  return undefined;
}

/** The line that ends cloud-init's boot: after it, every stage has run. */
export function cloudInitFinished(line: string): boolean {
  return /Cloud-init v\. \S+ finished at /.test(plainConsoleLine(line));
}

/** One row of cloud-init's `Net device info` table, printed by its network stage. */
export interface NetDeviceRow {
  device: string;
  up: boolean;
  address: string;
  scope: string;
  mac: string;
}

/**
 * Where LINE, if cloud-init printed it (`ci-info: `), stands in its `Net device info` table:
 * the title, a row, a border or the header, or anything else, which ends the table.
 */
export function netDeviceLine(
  line: string,
):
  | { title: true }
  | { row: NetDeviceRow }
  | { other: true }
  | { end: true }
  | undefined {
  const text = plainConsoleLine(line);
  const at = text.indexOf("ci-info: ");
  if (at < 0) return undefined;
  const body = text.slice(at + "ci-info: ".length).trim();
  if (/^\++\s*Net device info\s*\++$/.test(body)) return { title: true };
  const cells = body.split("|").map((c) => c.trim());
  // `| Device | Up | Address | Mask | Scope | Hw-Address |`: six cells between seven bars.
  if (cells.length === 8 && cells[0] === "" && cells[7] === "") {
    const [device, up, address, , scope, mac] = cells.slice(1, 7);
    if (device === "Device") return { other: true };
    return {
      row: {
        device,
        up: up === "True",
        address,
        scope,
        mac: mac.toLowerCase(),
      },
    };
  }
  if (/^[+-]+$/.test(body)) return { other: true };
  // Another of its tables (`Route IPv4 info`) or message.
  return { end: true };
}

/**
 * Whether the rows of one `Net device info` table show the NIC the host reaches the guest
 * through (MAC, or any NIC but loopback when it is not known) without an IPv4 address; the
 * answer names the NIC.
 */
export function nicWithoutAddress(
  rows: NetDeviceRow[],
  mac?: string,
): string | undefined {
  const ipv4 = (r: NetDeviceRow) => /^\d+\.\d+\.\d+\.\d+$/.test(r.address);
  const nics = rows.filter((r) => r.device !== "lo" && r.scope !== "host");
  let want = mac?.toLowerCase();
  // A driver that gives NIC 0 another MAC than Lima's: any NIC with an address will do.
  if (want && !nics.some((r) => r.mac === want) && nics.some(ipv4)) {
    want = undefined;
  }
  const nic = want ? nics.filter((r) => r.mac === want) : nics;
  if (nic.some(ipv4)) return undefined;
  if (nic.length === 0) {
    return want
      ? `no interface with the first NIC's MAC address ${want}`
      : "no interface but loopback";
  }
  const names = [...new Set(nic.map((r) => r.device))].join(", ");
  return `${names}${want ? ` (${want})` : ""} has no IPv4 address`;
}

// deno-lint-ignore no-control-regex
const ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]|\r/g;

/** LINE without terminal colours and carriage returns, as the patterns and users read it. */
export function plainConsoleLine(line: string): string {
  return line.replace(ESCAPES, "");
}

/** The phase LINE shows, if any. */
export function consolePhase(line: string): BootPhaseName | undefined {
  const text = plainConsoleLine(line);
  return PHASE_PATTERNS.find(([re]) => re.test(text))?.[1];
}

/** The failure LINE reports, if any (without console lines: the caller adds them). */
export function consoleFailure(
  line: string,
): Omit<BootFailure, "console"> | undefined {
  const text = plainConsoleLine(line);
  for (const [kind, re, cause, hint] of FAILURE_PATTERNS) {
    const m = re.exec(text);
    if (m) return { kind, cause: cause(m), hint };
  }
  return undefined;
}

/** Whether phase A comes after phase B in a boot. */
export function isLaterPhase(a: BootPhaseName, b: BootPhaseName): boolean {
  return BOOT_PHASES.indexOf(a) > BOOT_PHASES.indexOf(b);
}
