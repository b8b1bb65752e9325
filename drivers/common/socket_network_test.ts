import assert from "node:assert/strict";
import { join } from "node:path";
import { LimaError } from "../../core/errors.ts";
import type { NetworkAttachment } from "../../plugins/contract.ts";
import { makeDeadSocket } from "../../tests/fixtures/dead_socket.ts";
import { checkSocketNetworks } from "./socket_network.ts";

const attachment = (socketPath: string): NetworkAttachment => ({
  index: 1,
  kind: "socket",
  socketPath,
  macAddress: "52:55:55:00:00:01",
  nic0: false,
});

async function refusal(socketPath: string): Promise<LimaError> {
  try {
    await checkSocketNetworks([attachment(socketPath)]);
  } catch (err) {
    assert.ok(err instanceof LimaError);
    return err;
  }
  assert.fail("the socket was accepted");
}

Deno.test("a socket network whose socket answers passes", async () => {
  const dir = await Deno.makeTempDir();
  const listener = Deno.listen({ transport: "unix", path: join(dir, "s") });
  try {
    await checkSocketNetworks([attachment(join(dir, "s"))]);
  } finally {
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing socket fails naming its field and path", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "missing.sock");
  const err = await refusal(path);
  assert.equal(err.diagnostic.path, "networks[1].socket");
  assert.match(err.message, /does not exist/);
  assert.ok(err.message.includes(path));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a socket nobody listens on fails naming its field and path", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "dead.sock");
  await makeDeadSocket(path);
  const err = await refusal(path);
  assert.equal(err.diagnostic.path, "networks[1].socket");
  assert.match(err.message, /refuses connections/);
  assert.ok(err.message.includes(path));
  await Deno.remove(dir, { recursive: true });
});
