import assert from "node:assert/strict";
import { haveSSHD, startTestGuest } from "../../tests/fixtures/sshd.ts";
import { LimaError } from "../errors.ts";
import { connect } from "./client.ts";
import { SSHPool } from "./pool.ts";

const ignore = !haveSSHD();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test({
  name: "exec returns the remote exit code and keeps stdout and stderr apart",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  using conn = await connect(guest.target);
  const ok = await conn.run("echo out; echo err >&2");
  assert.deepEqual([ok.code, text(ok.stdout), text(ok.stderr)], [
    0,
    "out\n",
    "err\n",
  ]);
  const failed = await conn.run("exit 42");
  assert.equal(failed.code, 42);
  const killed = await conn.run("kill -TERM $$");
  assert.deepEqual([killed.code, killed.signal], [255, "SIGTERM"]);
});

Deno.test({ name: "stdin is streamed byte for byte", ignore }, async () => {
  await using guest = await startTestGuest();
  using conn = await connect(guest.target);
  const data = crypto.getRandomValues(new Uint8Array(64 * 1024));
  const big = new Uint8Array(5 * 1024 * 1024);
  for (let i = 0; i < big.length; i += data.length) big.set(data, i);
  const chunks = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < big.length; i += 100_000) {
        controller.enqueue(big.subarray(i, i + 100_000));
      }
      controller.close();
    },
  });
  const out: Uint8Array<ArrayBuffer>[] = [];
  const status = await conn.exec("cat", {
    stdin: chunks,
    stdout: new WritableStream({ write: (c) => void out.push(c.slice()) }),
  });
  assert.equal(status.code, 0);
  const got = new Uint8Array(await new Blob(out).arrayBuffer());
  assert.equal(got.length, big.length);
  assert.ok(got.every((b, i) => b === big[i]));
  const sum = await conn.run("sha256sum | cut -d' ' -f1", { stdin: big });
  const expected = Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", big)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  assert.equal(text(sum.stdout).trim(), expected);
});

Deno.test({
  name: "a command that exits without reading stdin does not hang",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  using conn = await connect(guest.target);
  const endless = new ReadableStream<Uint8Array>({
    pull: (c) => c.enqueue(new Uint8Array(1024)),
  });
  const status = await conn.exec("exit 3", { stdin: endless });
  assert.equal(status.code, 3);
});

Deno.test({
  name: "a PTY session sees a terminal of the requested size, and resizes",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  using conn = await connect(guest.target);
  let output = "";
  const { promise: firstSize, resolve: sawFirstSize } = Promise.withResolvers<
    void
  >();
  const { promise: resized, resolve: didResize } = Promise.withResolvers<
    void
  >();
  const proc = await conn.start("stty size; read line; stty size", {
    pty: { term: "xterm", rows: 33, cols: 101 },
    stdin: new ReadableStream({
      async pull(c) {
        await resized;
        c.enqueue(new TextEncoder().encode("go\n"));
        c.close();
      },
    }),
    stdout: new WritableStream({
      write(chunk) {
        output += text(chunk);
        if (output.includes("33 101")) sawFirstSize();
      },
    }),
  });
  await firstSize;
  proc.resize(40, 120);
  didResize();
  assert.equal((await proc.status).code, 0);
  const lines = output.split(/\r?\n/);
  assert.ok(
    lines.includes("33 101") && lines.includes("40 120"),
    lines.join("|"),
  );
});

Deno.test({
  name:
    "connecting to a port without a server fails with exit code 255 after the retries",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  await guest.sshd.stop();
  const started = Date.now();
  await assert.rejects(
    connect(guest.target, { retries: 2, retryDelayMs: 100 }),
    (err) => {
      assert.ok(err instanceof LimaError);
      assert.equal(err.exitCode, 255);
      assert.match(
        err.message,
        /failed to connect to instance `test` over SSH/,
      );
      return true;
    },
  );
  assert.ok(Date.now() - started >= 200);
});

Deno.test({
  name: "a key the guest does not accept is reported as such",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  await Deno.writeTextFile(`${guest.sshd.dir}/authorized_keys`, "");
  await assert.rejects(connect(guest.target), /did not accept the key/);
});

Deno.test({
  name: "the pool reuses a live connection and replaces a closed one",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  await using pool = new SSHPool();
  const a = await pool.get(guest.target);
  assert.equal(await pool.get(guest.target), a);
  a.close();
  const b = await pool.get(guest.target);
  assert.notEqual(b, a);
  assert.equal((await b.run("true")).code, 0);
});
