import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { LimaError } from "../errors.ts";
import { lockInstance, lockInstances } from "./lock.ts";

async function withLimaHome(
  fn: (home: string) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir();
  const previous = Deno.env.get("LIMA_HOME");
  Deno.env.set("LIMA_HOME", home);
  try {
    await fn(home);
  } finally {
    if (previous === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", previous);
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("a second lock on the same instance waits for the first", () =>
  withLimaHome(async () => {
    const first = await lockInstance("foo");
    const order: string[] = [];
    const second = lockInstance("foo").then((lock) => {
      order.push("second");
      return lock;
    });
    await new Promise((r) => setTimeout(r, 100));
    order.push("first released");
    await first.release();
    await (await second).release();
    assert.deepEqual(order, ["first released", "second"]);
  }));

Deno.test("a lock held too long gives a clear error naming the holder", () =>
  withLimaHome(async () => {
    await using _held = await lockInstance("foo");
    await assert.rejects(lockInstance("foo", { timeoutMs: 50 }), (err) => {
      assert.ok(err instanceof LimaError);
      assert.match(
        err.message,
        new RegExp(
          `^instance \`foo\` is busy: another limactl process \\(pid ${Deno.pid}\\)`,
        ),
      );
      return true;
    });
    await using other = await lockInstance("bar", { timeoutMs: 50 });
    assert.deepEqual(other.names, ["bar"]);
  }));

Deno.test("releasing removes the lock file; several names lock in sorted order", () =>
  withLimaHome(async (home) => {
    const lock = await lockInstances(["zeta", "alpha", "zeta"]);
    assert.deepEqual(lock.names, ["alpha", "zeta"]);
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(`${home}/_locks`))).map((e) => e.name)
        .sort(),
      [
        "alpha.lock",
        "zeta.lock",
      ],
    );
    await lock.release();
    assert.deepEqual(await Array.fromAsync(Deno.readDir(`${home}/_locks`)), []);
  }));

Deno.test("a holder that crashes never blocks the next command", () =>
  withLimaHome(async (home) => {
    const lockModule = new URL("./lock.ts", import.meta.url).href;
    const script = `import { lockInstance } from ${JSON.stringify(lockModule)};
await lockInstance("foo");
console.log("locked");
await new Promise(() => setInterval(() => {}, 1000));`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", script],
      env: { LIMA_HOME: home },
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      stdout: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    assert.equal(new TextDecoder().decode(value).trim(), "locked");
    await assert.rejects(lockInstance("foo", { timeoutMs: 50 }), /is busy/);
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel();
    const started = Date.now();
    await using _lock = await lockInstance("foo", { timeoutMs: 2000 });
    assert.ok(Date.now() - started < 1000);
  }));
