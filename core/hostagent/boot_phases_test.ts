import assert from "node:assert/strict";
import {
  cloudInitError,
  cloudInitFinished,
  consoleFailure,
  consolePhase,
  diskFullLine,
  isLaterPhase,
  netDeviceLine,
  nicWithoutAddress,
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

// cloud-init 22.4's warnings as its console handler prints them (`%(asctime)s - %(filename)s[%(levelname)s]: %(message)s`).
const CI = "[   80.111111] cloud-init[374]: 2026-12-06 23:09:10,123 - ";

Deno.test("cloud-init failing to create the user is fatal", () => {
  // From the test guest's serial.log with `user.uid: 1` (Debian's daemon).
  const error = cloudInitError(
    "[  139.868657] cloud-init[370]: 2026-12-06 23:33:55,413 - util.py[WARNING]: Failed to create user lima",
  );
  assert.equal(error?.severity, "fatal");
  assert.equal(error?.message, "it could not create the user lima");
});

Deno.test("cloud-init modules the boot needs are suspect, others harmless", () => {
  const module = (name: string) =>
    cloudInitError(
      `${CI}modules.py[WARNING]: Running module ${name} (<module 'cloudinit.config.cc_${
        name.replaceAll("-", "_")
      }' from '/usr/lib/python3/dist-packages/cloudinit/config/cc_${
        name.replaceAll("-", "_")
      }.py'>) failed`,
    );
  for (const name of ["users-groups", "ssh", "write-files"]) {
    assert.equal(module(name)?.severity, "suspect", name);
  }
  assert.equal(module("users-groups")?.message, "module users_groups failed");
  for (const name of ["timezone", "locale", "apt-configure", "bootcmd"]) {
    assert.equal(module(name)?.severity, "harmless", name);
  }
  // From the test guest's serial.log with a `mode: boot` provision that exits 3.
  assert.deepEqual(
    cloudInitError(
      "[  120.486651] cloud-init[396]: 2026-12-06 23:44:36,334 - util.py[WARNING]: Running module bootcmd (<module 'cloudinit.config.cc_bootcmd' from '/usr/lib/python3/dist-packages/cloudinit/config/cc_bootcmd.py'>) failed",
    ),
    { message: "module bootcmd failed", what: "bootcmd", severity: "harmless" },
  );
  // The test guest prints it on every boot: our user-data is valid to cloud-init, not to its schema.
  assert.equal(
    cloudInitError(
      "[  116.182216] cloud-init[396]: 2026-12-06 23:44:31,980 - schema.py[WARNING]: Invalid cloud-config provided: Please run 'sudo cloud-init schema --system' to see the schema errors.",
    ),
    undefined,
  );
  // Without the module's repr, as other versions may print it.
  assert.equal(
    cloudInitError(`${CI}util.py[WARNING]: Running module ssh failed`)?.what,
    "ssh",
  );
});

Deno.test("a crash of cloud-init's network stage is suspect, of its others harmless", () => {
  assert.equal(
    cloudInitError(`${CI}util.py[WARNING]: failed stage init`)?.severity,
    "suspect",
  );
  assert.equal(
    cloudInitError(`${CI}util.py[WARNING]: failed stage init-local`)
      ?.severity,
    "harmless",
  );
  // A provision's output that looks alike is not cloud-init's.
  assert.equal(
    cloudInitError("[  90.1] cloud-init[560]: Failed to create user bob"),
    undefined,
  );
  assert.equal(
    cloudInitError(`${CI}util.py[WARNING]: failed stage modules:final`)
      ?.severity,
    "harmless",
  );
});

Deno.test("ordinary cloud-init lines are no errors", () => {
  for (
    const line of [
      "[   75.921253] cloud-init[374]: Cloud-init v. 22.4.2 running 'init' at Sun, 06 Dec 2026 23:09:05 +0000. Up 75.32 seconds.",
      "[   79.011581] cloud-init[374]: ci-info: | enp0s4 | True |         192.168.5.15         | 255.255.255.0 | global | 52:55:55:0d:7e:2e |",
      `${CI}cc_set_hostname.py[WARNING]: not a failure`,
    ]
  ) {
    assert.equal(cloudInitError(line), undefined, line);
  }
  assert.ok(
    cloudInitFinished(
      "[  116.803404] cloud-init[560]: Cloud-init v. 22.4.2 finished at Sun, 06 Dec 2026 19:42:27 +0000. Datasource DataSourceNoCloud [seed=/dev/sr0][dsmode=net].  Up 116.80 seconds",
    ),
  );
});

/** cloud-init's `Net device info` table from the test guest's serial.log. */
const NET_DEVICE_INFO = [
  "[   78.760063] cloud-init[374]: ci-info: +++++++++++++++++++++++++++++++++++++++Net device info+++++++++++++++++++++++++++++++++++++++",
  "[   78.814579] cloud-init[374]: ci-info: +--------+------+------------------------------+---------------+--------+-------------------+",
  "[   78.930817] cloud-init[374]: ci-info: | Device |  Up  |           Address            |      Mask     | Scope  |     Hw-Address    |",
  "[   78.980869] cloud-init[374]: ci-info: +--------+------+------------------------------+---------------+--------+-------------------+",
  "[   79.011581] cloud-init[374]: ci-info: | enp0s4 | True |         192.168.5.15         | 255.255.255.0 | global | 52:55:55:0d:7e:2e |",
  "[   79.040041] cloud-init[374]: ci-info: | enp0s4 | True | fec0::5055:55ff:fe0d:7e2e/64 |       .       |  site  | 52:55:55:0d:7e:2e |",
  "[   79.085769] cloud-init[374]: ci-info: | enp0s4 | True | fe80::5055:55ff:fe0d:7e2e/64 |       .       |  link  | 52:55:55:0d:7e:2e |",
  "[   79.100623] cloud-init[374]: ci-info: |   lo   | True |          127.0.0.1           |   255.0.0.0   |  host  |         .         |",
  "[   79.137889] cloud-init[374]: ci-info: |   lo   | True |           ::1/128            |       .       |  host  |         .         |",
  "[   79.150520] cloud-init[374]: ci-info: +--------+------+------------------------------+---------------+--------+-------------------+",
  "[   79.162255] cloud-init[374]: ci-info: ++++++++++++++++++++++++++++++Route IPv4 info++++++++++++++++++++++++++++++",
];

Deno.test("cloud-init's Net device info table is read row by row", () => {
  const parsed = NET_DEVICE_INFO.map(netDeviceLine);
  assert.deepEqual(parsed[0], { title: true });
  assert.deepEqual(parsed[1], { other: true });
  assert.deepEqual(parsed[2], { other: true });
  assert.deepEqual(parsed[4], {
    row: {
      device: "enp0s4",
      up: true,
      address: "192.168.5.15",
      scope: "global",
      mac: "52:55:55:0d:7e:2e",
    },
  });
  assert.deepEqual(parsed.at(-1), { end: true });
  assert.equal(netDeviceLine("[   79.1] systemd[1]: Started x"), undefined);
});

Deno.test("a NIC is without an address only when no row gives it an IPv4 one", () => {
  const rows = NET_DEVICE_INFO.map(netDeviceLine).flatMap((l) =>
    l && "row" in l ? [l.row] : []
  );
  assert.equal(nicWithoutAddress(rows, "52:55:55:0D:7E:2E"), undefined);
  assert.equal(nicWithoutAddress(rows), undefined);
  const noIPv4 = rows.filter((r) => r.address !== "192.168.5.15");
  assert.equal(
    nicWithoutAddress(noIPv4, "52:55:55:0d:7e:2e"),
    "enp0s4 (52:55:55:0d:7e:2e) has no IPv4 address",
  );
  assert.equal(
    nicWithoutAddress(noIPv4),
    "enp0s4 has no IPv4 address",
  );
  const loOnly = rows.filter((r) => r.device === "lo");
  assert.equal(
    nicWithoutAddress(loOnly, "52:55:55:0d:7e:2e"),
    "no interface with the first NIC's MAC address 52:55:55:0d:7e:2e",
  );
  // A driver that gave NIC 0 another MAC: the NIC with an address is the one.
  assert.equal(nicWithoutAddress(rows, "52:55:55:00:00:01"), undefined);
});

Deno.test("a full disk shows in ENOSPC errors and the boot scripts' marker, not in inotify's", () => {
  // From the test guest's serial.log with a disk image without a free block.
  assert.deepEqual(
    diskFullLine(
      "[  137.765713] cloud-init[235]: OSError: [Errno 28] No space left on device: '/var/lib/cloud'\r",
    ),
    { definite: false, detail: "writing /var/lib/cloud" },
  );
  assert.deepEqual(diskFullLine("IOError: [Errno 28] x"), {
    definite: false,
    detail: undefined,
  });
  assert.deepEqual(
    diskFullLine("cp: error writing '/etc/x': No space left on device"),
    { definite: false, detail: undefined },
  );
  assert.deepEqual(diskFullLine("LIMA| disk full: / has 0 bytes free"), {
    definite: true,
    detail: "/ has 0 bytes free",
  });
  assert.equal(
    diskFullLine(
      "systemd[1]: Failed to add inotify watch: No space left on device",
    ),
    undefined,
  );
  assert.equal(diskFullLine("[    1.2] Linux version 6.1"), undefined);
});
