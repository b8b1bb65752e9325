/** The qemu driver's side of `socket:` networks: attached without a warning, checked first. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LimaError } from "../../core/errors.ts";
import { makeDeadSocket } from "../../tests/fixtures/dead_socket.ts";
import qemu from "./mod.ts";

Deno.test("the qemu driver attaches socket networks and still warns for lima ones", async () => {
  const driver = qemu({
    name: "vm",
    dir: "/nonexistent/vm",
    config: {
      vmType: "qemu",
      arch: "x86_64",
      networks: [
        { socket: "/var/run/socket_vmnet", macAddress: "52:55:55:00:00:01" },
        { lima: "shared", macAddress: "52:55:55:00:00:02" },
      ],
    },
    networks: [{
      index: 0,
      kind: "socket",
      socketPath: "/var/run/socket_vmnet",
      macAddress: "52:55:55:00:00:01",
      nic0: false,
    }],
  }, { accel: "tcg" });
  await driver.configure();
  const found = (await driver.validate()).filter((d) =>
    d.path?.startsWith("networks")
  );
  assert.deepEqual(found.map((d) => d.path), ["networks[1]"]);
});

Deno.test("a dead socket network fails start before QEMU is run", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "dead.sock");
  await makeDeadSocket(path);
  const driver = qemu({
    name: "vm",
    dir,
    config: { vmType: "qemu", arch: "x86_64", memory: "128MiB" },
    sshLocalPort: 60022,
    networks: [{
      index: 0,
      kind: "socket",
      socketPath: path,
      macAddress: "52:55:55:00:00:01",
      nic0: false,
    }],
  }, { accel: "tcg", qemuSystem: join(dir, "no-such-qemu") });
  try {
    await assert.rejects(driver.start(), (err: unknown) => {
      assert.ok(err instanceof LimaError, String(err));
      assert.equal(err.diagnostic.path, "networks[0].socket");
      assert.match(err.message, /refuses connections/);
      return true;
    });
    const left = await Array.fromAsync(Deno.readDir(dir), (e) => e.name);
    assert.deepEqual(left, ["dead.sock"], "start made nothing");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
