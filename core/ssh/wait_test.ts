import assert from "node:assert/strict";
import { freeLoopbackPort } from "../../tests/fixtures/free_port.ts";
import {
  haveSSHD,
  startSSHD,
  startTestGuest,
  type TestSSHD,
} from "../../tests/fixtures/sshd.ts";
import { LimaError } from "../errors.ts";
import { sshBanner, waitForSSH } from "./wait.ts";

const ignore = !haveSSHD();

Deno.test({
  name: "waitForSSH returns a logged-in connection once the server answers",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  using conn = await waitForSSH(guest.target, { timeoutMs: 10_000 });
  assert.equal((await conn.run("true")).code, 0);
});

Deno.test({
  name: "waitForSSH logs in over the connection that brought the banner",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  // A relay in front of sshd that counts the connections made to it.
  const port = freeLoopbackPort();
  const relay = Deno.listen({ hostname: "127.0.0.1", port });
  let connections = 0;
  const pipes: Promise<unknown>[] = [];
  const relaying = (async () => {
    for await (const conn of relay) {
      connections++;
      const server = await Deno.connect({
        hostname: "127.0.0.1",
        port: guest.target.port,
      });
      pipes.push(
        conn.readable.pipeTo(server.writable).catch(() => {}),
        server.readable.pipeTo(conn.writable).catch(() => {}),
      );
    }
  })();
  try {
    using conn = await waitForSSH({ ...guest.target, port }, {
      timeoutMs: 10_000,
    });
    assert.equal((await conn.run("true")).code, 0);
    assert.equal(connections, 1);
  } finally {
    relay.close();
    await relaying;
  }
  await Promise.all(pipes);
});

Deno.test(
  { name: "waitForSSH keeps trying until the key is accepted", ignore },
  async () => {
    await using guest = await startTestGuest();
    const authorized = `${guest.sshd.dir}/authorized_keys`;
    const key = await Deno.readTextFile(authorized);
    await Deno.writeTextFile(authorized, "");
    setTimeout(() => Deno.writeTextFileSync(authorized, key), 1_000);
    const started = Date.now();
    using conn = await waitForSSH(guest.target, {
      timeoutMs: 15_000,
      intervalMs: 200,
    });
    assert.ok(Date.now() - started >= 900);
    assert.equal((await conn.run("true")).code, 0);
  },
);

Deno.test({
  name: "waitForSSH gives up in time, naming the last problem",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  await guest.sshd.stop();
  // A listener that never speaks SSH.
  const port = freeLoopbackPort();
  const silent = Deno.listen({ hostname: "127.0.0.1", port });
  const started = Date.now();
  try {
    await assert.rejects(
      waitForSSH({ ...guest.target, port }, {
        timeoutMs: 1_500,
        intervalMs: 100,
      }),
      (err) =>
        err instanceof LimaError &&
        /timed out waiting for SSH on instance `test`/.test(err.message) &&
        /no SSH banner/.test(err.message),
    );
  } finally {
    silent.close();
  }
  assert.ok(Date.now() - started < 5_000);
});

Deno.test({
  name: "waitForSSH finds a server that starts after the wait began",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  const key = await Deno.readTextFile(`${guest.sshd.dir}/authorized_keys`);
  await guest.sshd.stop();
  const port = freeLoopbackPort();
  const late = new Promise<TestSSHD>((resolve, reject) =>
    setTimeout(() => startSSHD(key, { port }).then(resolve, reject), 1_000)
  );
  try {
    using conn = await waitForSSH({ ...guest.target, port }, {
      timeoutMs: 15_000,
      intervalMs: 200,
    });
    assert.equal((await conn.run("true")).code, 0);
  } finally {
    await (await late).stop();
  }
});

Deno.test("sshBanner waits for a server that is slow to send its banner", async () => {
  const port = freeLoopbackPort();
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const serve = (async () => {
    for await (const conn of listener) {
      // A busy guest's sshd: the banner comes 1.5 s after the connection.
      setTimeout(() => {
        conn.write(new TextEncoder().encode("SSH-2.0-OpenSSH_9.2\r\n"))
          .catch(() => {}).finally(() => conn.close());
      }, 1_500);
    }
  })();
  try {
    assert.equal(await sshBanner("127.0.0.1", port, 500), false);
    assert.equal(await sshBanner("127.0.0.1", port), true);
  } finally {
    listener.close();
    await serve.catch(() => {});
  }
});
