import assert from "node:assert/strict";
import {
  consoleFailure,
  consolePhase,
  isLaterPhase,
  plainConsoleLine,
} from "./boot_phases.ts";

// Lines from the serial logs of the test guest (Debian bookworm, tests/fixtures/build-image.sh)
// booted by `limactl start`, and of the firmware and boot loaders Lima's images use.
const PHASE_LINES: [string, string][] = [
  ["SeaBIOS (version 1.16.2-debian-1.16.2-1)", "firmware"],
  [
    'BdsDxe: loading Boot0001 "UEFI QEMU HARDDISK QM00001 " from PciRoot(0x0)/Pci(0x1,0x0)',
    "firmware",
  ],
  ["                             GNU GRUB  version 2.06", "bootloader"],
  [
    "[    0.000000] Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-26)\r",
    "kernel",
  ],
  ["[    5.389355] Run /init as init process\r", "initrd"],
  ["Loading, please wait...\r", "initrd"],
  [
    "[   13.781519] systemd[1]: systemd 252.39-1~deb12u2 running in system mode (+PAM +AUDIT)",
    "userspace",
  ],
  [
    "Welcome to \x1b[1mDebian GNU/Linux 12 (bookworm)\x1b[0m!\r",
    "userspace",
  ],
  [
    "[   45.960971] cloud-init[349]: Cloud-init v. 22.4.2 running 'init-local' at Sun, 06 Dec 2026 19:41:15 +0000. Up 45.56 seconds.",
    "cloud-init-local",
  ],
  [
    "[   60.760921] cloud-init[370]: Cloud-init v. 22.4.2 running 'init' at Sun, 06 Dec 2026 19:41:30 +0000. Up 60.20 seconds.",
    "cloud-init-network",
  ],
  [
    "[  102.364788] cloud-init[537]: Cloud-init v. 22.4.2 running 'modules:config' at Sun, 06 Dec 2026 19:42:11 +0000. Up 101.59 seconds.",
    "cloud-init-config",
  ],
  [
    "[  116.147816] cloud-init[560]: Cloud-init v. 22.4.2 running 'modules:final' at Sun, 06 Dec 2026 19:42:25 +0000. Up 115.11 seconds.",
    "cloud-init-final",
  ],
  ["LIMA| boot scripts started", "boot-scripts"],
];

for (const [line, phase] of PHASE_LINES) {
  Deno.test(`the console line ${JSON.stringify(line.slice(0, 60))} shows the ${phase} phase`, () => {
    assert.equal(consolePhase(line), phase);
    assert.equal(consoleFailure(line), undefined);
  });
}

Deno.test("ordinary console lines show no phase and no failure", () => {
  for (
    const line of [
      "[    0.037554] ACPI: Reserving FACP table memory at [mem 0x3ffe2118-0x3ffe220b]",
      "[\x1b[0;32m  OK  \x1b[0m] Started \x1b[0;1;39mssh.service\x1b[0m - OpenBSD Secure Shell server.",
      "lima-n1 login: ",
      "[  116.803404] cloud-init[560]: Cloud-init v. 22.4.2 finished at Sun, 06 Dec 2026 19:42:27 +0000.",
    ]
  ) {
    assert.equal(consolePhase(line), undefined, line);
    assert.equal(consoleFailure(line), undefined, line);
  }
});

Deno.test("a kernel panic is named with the kernel's reason", () => {
  const failure = consoleFailure(
    "[    9.104512] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100",
  );
  assert.equal(failure?.kind, "panic");
  assert.equal(
    failure?.cause,
    "The guest kernel panicked: Attempted to kill init! exitcode=0x00000100",
  );
});

Deno.test("a root file system the kernel cannot mount is named as such, not as a mere panic", () => {
  const failure = consoleFailure(
    "[    5.008595] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)",
  );
  assert.equal(failure?.kind, "root");
  assert.equal(failure?.cause, "The guest did not find its root file system");
});

Deno.test("initramfs giving up on the root device names the device", () => {
  assert.equal(
    consoleFailure(
      "Gave up waiting for root file system device.  Common problems:",
    )
      ?.kind,
    "root",
  );
  const failure = consoleFailure(
    "ALERT!  /dev/vdz does not exist.  Dropping to a shell!",
  );
  assert.equal(
    failure?.cause,
    "The guest did not find its root file system (/dev/vdz does not exist)",
  );
});

Deno.test("sshd failing to start is named when systemd shortened its unit's name", () => {
  // From the test guest's serial.log with a line sshd refuses in sshd_config.
  const failure = consoleFailure(
    "[\x1b[0;1;31mFAILED\x1b[0m] Failed to start \x1b[0;1;39mssh.servic…\x1b[0m - OpenBSD Secure Shell server.",
  );
  assert.equal(failure?.kind, "sshd");
  assert.equal(
    failure?.cause,
    "The guest's sshd failed to start (ssh.service)",
  );
  assert.equal(
    consoleFailure(
      "[FAILED] Failed to start sshd.service - OpenSSH server daemon.",
    )
      ?.cause,
    "The guest's sshd failed to start (sshd.service)",
  );
});

Deno.test("sshd failing to start is named, with colours removed", () => {
  const failure = consoleFailure(
    "[\x1b[0;1;31mFAILED\x1b[0m] Failed to start \x1b[0;1;39mssh.service\x1b[0m - OpenBSD Secure Shell server.",
  );
  assert.equal(failure?.kind, "sshd");
  assert.equal(
    failure?.cause,
    "The guest's sshd failed to start (ssh.service)",
  );
});

Deno.test("console lines lose their colours and carriage returns", () => {
  assert.equal(
    plainConsoleLine("Welcome to \x1b[1mDebian\x1b[0m!\r"),
    "Welcome to Debian!",
  );
});

Deno.test("phases are ordered as a boot goes", () => {
  assert.ok(isLaterPhase("kernel", "firmware"));
  assert.ok(isLaterPhase("userspace", "initrd"));
  assert.ok(!isLaterPhase("kernel", "userspace"));
  assert.ok(!isLaterPhase("kernel", "kernel"));
});
