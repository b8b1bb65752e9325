import assert from "node:assert/strict";
import { freeLoopbackPort } from "../../tests/fixtures/free_port.ts";
import {
  haveSSHD,
  startSSHD,
  startTestGuest,
  type TestSSHD,
} from "../../tests/fixtures/sshd.ts";
import { LimaError } from "../errors.ts";
import { waitForSSH } from "./wait.ts";

const ignore = !haveSSHD();

Deno.test({
  name: "waitForSSH returns a logged-in connection once the server answers",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  using conn = await waitForSSH(guest.target, { timeoutMs: 10_000 });
  assert.equal((await conn.run("true")).code, 0);
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
