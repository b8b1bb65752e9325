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

/** What stopped a boot: a silent console, a kernel panic, no root file system, sshd. */
export type BootFailureKind = "silent" | "panic" | "root" | "sshd";

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

const HINTS = {
  kernel:
    "check the kernel, initrd and kernel command line of the image (images[].kernel) and the console log",
  root:
    "check root= on the kernel command line (images[].kernel.cmdline) and that the image is a disk the kernel can read",
  sshd:
    "the guest's sshd configuration or host keys are broken; see the console log and `journalctl -u ssh` in the guest",
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
