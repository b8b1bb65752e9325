import assert from "node:assert/strict";
import { join } from "node:path";
import type { BootPhaseName } from "./boot_phases.ts";
import { watchConsoles } from "./console_watch.ts";

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
