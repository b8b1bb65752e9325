import assert from "node:assert/strict";
import { join } from "node:path";
import type { BootFailure, BootPhaseName } from "./boot_phases.ts";
import {
  ConsoleDiagnosis,
  type GuestState,
  watchConsoles,
} from "./console_watch.ts";

async function withConsole(
  fn: (serial: string, virtio: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(join(dir, "serial.log"), join(dir, "serialv.log"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Follows CONSOLES, before sshd answers, until the boot is found stuck. */
const untilStuck = (consoles: string[], silenceMs = 10_000) =>
  watchConsoles({
    consoleLogs: consoles,
    silenceMs,
    onPhase: () => {},
    sshdUp: () => false,
    signal: new AbortController().signal,
    intervalMs: 5,
  });

const append = (path: string, text: string) =>
  Deno.writeTextFile(path, text, { append: true });

Deno.test("phases are reported once each, in order, as the console grows", async () => {
  await withConsole(async (serial, virtio) => {
    const seen: BootPhaseName[] = [];
    const done = new AbortController();
    const watch = watchConsoles({
      consoleLogs: [serial, virtio],
      silenceMs: 10_000,
      onPhase: (phase) => seen.push(phase),
      sshdUp: () => false,
      signal: done.signal,
      intervalMs: 5,
    });
    await append(serial, "[    0.000000] Linux version 6.1.0-57-amd64 (x)\r\n");
    await new Promise((r) => setTimeout(r, 30));
    // A line in two writes, as QEMU logs whatever the guest sent so far.
    await append(serial, "[    5.389355] Run /init as ");
    await new Promise((r) => setTimeout(r, 30));
    await append(serial, "init process\r\n[   13.7] systemd[1]: Detected\r\n");
    await append(
      virtio,
      "[   14.0] systemd[1]: Started x\r\nLIMA| boot scripts started\n",
    );
    // An earlier phase seen late (a second kernel line) is not reported again.
    await append(serial, "[   15.0] Linux version again\n");
    await new Promise((r) => setTimeout(r, 50));
    done.abort();
    assert.equal(await watch, undefined);
    assert.deepEqual(seen, ["kernel", "initrd", "userspace", "boot-scripts"]);
  });
});

Deno.test("a kernel panic ends the watch with the last console lines", async () => {
  await withConsole(async (serial) => {
    const lines = Array.from({ length: 14 }, (_, i) => `[ ${i}.0] line ${i}`);
    await append(
      serial,
      [...lines, "[ 9.1] Kernel panic - not syncing: Attempted to kill init!"]
        .join("\n") + "\n",
    );
    const failure = await untilStuck([serial]);
    assert.equal(failure?.kind, "panic");
    assert.equal(failure?.console.length, 10);
    assert.equal(failure?.console.at(0), "[ 5.0] line 5");
    assert.match(failure?.console.at(-1) ?? "", /Kernel panic/);
  });
});

Deno.test("consoles that stay empty end the watch after the silence bound", async () => {
  await withConsole(async (serial, virtio) => {
    const started = performance.now();
    const failure = await untilStuck([serial, virtio], 100);
    assert.ok(performance.now() - started >= 100);
    assert.equal(failure?.kind, "silent");
    assert.match(failure?.cause ?? "", /printed nothing on its console/);
    assert.match(failure?.hint ?? "", /serial\.log/);
  });
});

Deno.test("a quiet guest whose sshd answers is not stuck, and a later sshd failure is not fatal", async () => {
  await withConsole(async (serial) => {
    const done = new AbortController();
    const watch = watchConsoles({
      consoleLogs: [serial],
      silenceMs: 20,
      onPhase: () => {},
      sshdUp: () => true,
      signal: done.signal,
      intervalMs: 5,
    });
    await new Promise((r) => setTimeout(r, 60));
    await append(serial, "[FAILED] Failed to start ssh.service - OpenBSD\n");
    await new Promise((r) => setTimeout(r, 30));
    done.abort();
    assert.equal(await watch, undefined);
  });
});

Deno.test("a root file system not found names the root= the kernel was given", async () => {
  await withConsole(async (serial) => {
    await append(
      serial,
      [
        "[    0.000000] Command line: root=/dev/vdz ro console=ttyS0",
        "Begin: Running /scripts/local-block ... done.",
        "Gave up waiting for root file system device.  Common problems:",
      ].join("\n") + "\n",
    );
    const failure = await untilStuck([serial]);
    assert.equal(
      failure?.cause,
      "The guest did not find its root file system (root=/dev/vdz)",
    );
  });
});

Deno.test("sshd failing once may pass; failing again ends the watch", async () => {
  await withConsole(async (serial) => {
    const failed =
      "[FAILED] Failed to start ssh.servic… - OpenBSD Secure Shell server.\n";
    await append(serial, failed + "         Starting ssh.service...\n");
    const watch = untilStuck([serial], 500);
    const pending = new Promise((r) => setTimeout(() => r("pending"), 50));
    assert.equal(await Promise.race([watch, pending]), "pending");
    await append(serial, failed);
    const failure = await watch;
    assert.equal(failure?.kind, "sshd");
    assert.match(failure?.console.at(-1) ?? "", /Failed to start ssh/);
  });
});

/** A diagnosis fed LINES in order with STATE; its failure, phases and warnings. */
function diagnose(
  lines: string[],
  state: Partial<GuestState> = {},
  nicMac?: string,
) {
  const warnings: string[] = [];
  const phases: BootPhaseName[] = [];
  const d = new ConsoleDiagnosis({
    onPhase: (phase) => phases.push(phase),
    onWarning: (w) => warnings.push(w),
    nicMac,
  });
  const s = { sshdUp: false, loginRefused: false, ...state };
  let failure: BootFailure | undefined;
  for (const line of lines) {
    failure = d.line(line, s);
    if (failure) break;
  }
  return { d, failure, warnings, phases };
}

const CI = "[   80.1] cloud-init[374]: 2026-12-06 23:09:10,123 - ";
const MAC = "52:55:55:0d:7e:2e";
const table = (rows: string[]) => [
  "[   78.7] cloud-init[374]: ci-info: +++++++++++++++++++++Net device info+++++++++++++++++++++",
  "[   78.8] cloud-init[374]: ci-info: +--------+------+--------------+---------------+--------+-------------------+",
  "[   78.9] cloud-init[374]: ci-info: | Device |  Up  |   Address    |      Mask     | Scope  |     Hw-Address    |",
  "[   78.9] cloud-init[374]: ci-info: +--------+------+--------------+---------------+--------+-------------------+",
  ...rows,
  "[   79.1] cloud-init[374]: ci-info: |   lo   | True |  127.0.0.1   |   255.0.0.0   |  host  |         .         |",
  "[   79.1] cloud-init[374]: ci-info: +--------+------+--------------+---------------+--------+-------------------+",
  "[   79.2] cloud-init[374]: ci-info: ++++++++++++++Route IPv4 info++++++++++++++",
];

Deno.test("a NIC with an address in cloud-init's table is no failure", () => {
  const { failure } = diagnose(
    table([
      `[   79.0] cloud-init[374]: ci-info: | enp0s4 | True | 192.168.5.15 | 255.255.255.0 | global | ${MAC} |`,
    ]),
    {},
    MAC,
  );
  assert.equal(failure, undefined);
});

Deno.test("a NIC without an IPv4 address in cloud-init's table ends the boot, other lines between", () => {
  // The row of the test guest booted with systemd-networkd masked.
  const rows = table([
    `[  147.521493] cloud-init[366]: ci-info: |  eth0  | False |     .     |     .     |   .   | ${MAC} |`,
  ]);
  rows.splice(5, 0, "[   79.0] systemd[1]: Started something.");
  const { failure } = diagnose(rows, {}, MAC);
  assert.equal(failure?.kind, "network");
  assert.equal(
    failure?.cause,
    `The guest did not get a network address: eth0 (${MAC}) has no IPv4 address`,
  );
  // The border under the rows ends the table.
  assert.match(failure?.console.at(-1) ?? "", /ci-info: \+-+/);
  assert.ok(failure?.console.some((l) => l.includes("|  eth0  | False |")));
  // Once sshd answers, the host reaches the guest whatever the table says.
  assert.equal(diagnose(rows, { sshdUp: true }, MAC).failure, undefined);
});

Deno.test("cloud-init failing to create the user ends the boot at once", () => {
  const { failure } = diagnose([
    `${CI}__init__.py[WARNING]: Failed to create user lima`,
  ]);
  assert.equal(failure?.kind, "cloud-init");
  assert.equal(
    failure?.cause,
    "cloud-init reported errors the boot cannot get past: it could not create the user lima",
  );
  assert.match(failure?.hint ?? "", /check `user` in lima\.yaml/);
});

const SSH_FAILED =
  `${CI}modules.py[WARNING]: Running module ssh (<module 'cloudinit.config.cc_ssh' from '/usr/lib/python3/dist-packages/cloudinit/config/cc_ssh.py'>) failed`;

Deno.test("a failed module the boot needs ends it only once the guest refuses the login", () => {
  const { d, failure } = diagnose([SSH_FAILED]);
  assert.equal(failure, undefined);
  assert.equal(d.check({ sshdUp: true, loginRefused: false }), undefined);
  const stuck = d.check({ sshdUp: true, loginRefused: true });
  assert.equal(stuck?.kind, "cloud-init");
  assert.equal(
    stuck?.cause,
    "cloud-init reported errors the boot cannot get past: module ssh failed (the guest refuses the host's SSH key)",
  );
});

Deno.test("a failed module the boot needs ends it when cloud-init finished without the boot scripts", () => {
  const finished =
    "[  116.8] cloud-init[560]: Cloud-init v. 22.4.2 finished at Sun, 06 Dec 2026 19:42:27 +0000. Datasource DataSourceNoCloud [seed=/dev/sr0][dsmode=net].  Up 116.80 seconds";
  const scripts = "LIMA| boot scripts started";
  assert.equal(
    diagnose([SSH_FAILED, scripts, finished]).failure,
    undefined,
  );
  const { failure } = diagnose([SSH_FAILED, finished]);
  assert.match(failure?.cause ?? "", /\(the boot scripts never started\)$/);
});

Deno.test("a failed module the boot does not need is a warning, once", () => {
  const timezone =
    `${CI}modules.py[WARNING]: Running module timezone (<module 'cloudinit.config.cc_timezone' from '/x/cc_timezone.py'>) failed`;
  const { d, failure, warnings } = diagnose([timezone, timezone]);
  assert.equal(failure, undefined);
  assert.equal(d.check({ sshdUp: true, loginRefused: true }), undefined);
  assert.deepEqual(warnings, [
    "cloud-init reported an error the boot does not need to pass: module timezone failed (see /var/log/cloud-init.log in the guest)",
  ]);
});

Deno.test("ENOSPC before sshd answers names the full disk, before what it broke", () => {
  const { failure } = diagnose([
    "[   34.0] cloud-init[353]: Traceback (most recent call last):",
    "[  137.765713] cloud-init[235]: OSError: [Errno 28] No space left on device: '/var/lib/cloud'",
    "[FAILED] Failed to start ssh.service - OpenBSD Secure Shell server.",
  ]);
  assert.equal(failure?.kind, "disk-full");
  assert.equal(
    failure?.cause,
    "The guest's disk is full (writing /var/lib/cloud)",
  );
  assert.match(failure?.hint ?? "", /--disk/);
});

Deno.test("after sshd answered, only the boot scripts' check names a full disk", () => {
  const enospc = "dd: error writing '/mnt/data/x': No space left on device";
  assert.equal(diagnose([enospc], { sshdUp: true }).failure, undefined);
  const { failure } = diagnose(["LIMA| disk full: / has 4096 bytes free"], {
    sshdUp: true,
  });
  assert.equal(
    failure?.cause,
    "The guest's disk is full (/ has 4096 bytes free)",
  );
});

Deno.test("the watch ends a boot when the guest refuses the login after a needed module failed", async () => {
  await withConsole(async (serial) => {
    let refused = false;
    const watch = watchConsoles({
      consoleLogs: [serial],
      silenceMs: 10_000,
      onPhase: () => {},
      sshdUp: () => true,
      loginRefused: () => refused,
      signal: new AbortController().signal,
      intervalMs: 5,
    });
    await append(serial, SSH_FAILED + "\n");
    const pending = new Promise((r) => setTimeout(() => r("pending"), 50));
    assert.equal(await Promise.race([watch, pending]), "pending");
    refused = true;
    const failure = await watch;
    assert.equal(failure?.kind, "cloud-init");
    assert.match(failure?.console.at(-1) ?? "", /Running module ssh/);
  });
});
