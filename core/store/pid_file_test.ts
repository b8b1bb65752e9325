import assert from "node:assert/strict";
import { isProcessAlive, readPidFile } from "./pid_file.ts";

Deno.test("a live process is alive, an exited one is not", async () => {
  assert.ok(isProcessAlive(Deno.pid));
  const child = new Deno.Command("true").spawn();
  await child.status;
  assert.ok(!isProcessAlive(child.pid));
  assert.ok(!isProcessAlive(0));
});

Deno.test("readPidFile: missing is 0, live is the PID, stale is 0 and removed, garbage throws", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(readPidFile(`${dir}/ha.pid`), 0);
    await Deno.writeTextFile(`${dir}/ha.pid`, `${Deno.pid}\n`);
    assert.equal(readPidFile(`${dir}/ha.pid`), Deno.pid);
    const child = new Deno.Command("true").spawn();
    await child.status;
    await Deno.writeTextFile(`${dir}/qemu.pid`, String(child.pid));
    assert.equal(readPidFile(`${dir}/qemu.pid`), 0);
    await assert.rejects(Deno.stat(`${dir}/qemu.pid`), Deno.errors.NotFound);
    await Deno.writeTextFile(`${dir}/bad.pid`, "not a pid");
    assert.throws(() => readPidFile(`${dir}/bad.pid`), /not a process ID/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a killed process that nobody reaped counts as dead", async () => {
  if (Deno.build.os !== "linux") return;
  // `sh` forks a sleeper and execs a long sleep without ever waiting for the child.
  const child = new Deno.Command("sh", {
    args: ["-c", "sleep 30 & echo $!; exec sleep 30"],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  const orphan = Number(new TextDecoder().decode(value).trim());
  try {
    assert.equal(isProcessAlive(orphan), true);
    Deno.kill(orphan, "SIGKILL");
    for (let i = 0; i < 50 && isProcessAlive(orphan); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(isProcessAlive(orphan), false);
  } finally {
    child.kill("SIGKILL");
    reader.releaseLock();
    await child.status;
    await child.stdout.cancel();
  }
});
