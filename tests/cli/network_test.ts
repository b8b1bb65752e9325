/** `limactl network list` and starting an instance on a network this host cannot run. */
import assert from "node:assert/strict";
import { exists } from "../../core/exists.ts";
import {
  assertFatal,
  assertWarning,
  createDummyInstance,
  limactlExpect,
  lines,
  tempLimaHome,
} from "./helpers.ts";

Deno.test("limactl network list shows networks.yaml, creating it first", async () => {
  const limaHome = await tempLimaHome();
  try {
    const r = await limactlExpect(0, ["network", "list"], { limaHome });
    assert.deepEqual(lines(r.stdout).map((l) => l.split(/\s+/)), [
      ["NAME", "MODE", "GATEWAY", "INTERFACE"],
      ["bridged", "bridged", "-", "en0"],
      ["host", "host", "192.168.106.1/24", "-"],
      ["shared", "shared", "192.168.105.1/24", "-"],
      ["user-v2", "user-v2", "192.168.104.1/24", "-"],
    ]);
    assert.ok(await exists(`${limaHome}/_config/networks.yaml`));
    const json = await limactlExpect(0, ["network", "ls", "--json", "host"], {
      limaHome,
    });
    // Lima leaves unset fields out.
    assert.deepEqual(JSON.parse(json.stdout), {
      name: "host",
      mode: "host",
      gateway: "192.168.106.1",
      dhcpEnd: "192.168.106.254",
      netmask: "255.255.255.0",
    });
    await Deno.writeTextFile(
      `${limaHome}/_config/networks.yaml`,
      "networks:\n  x:\n    mode: shared\n",
    );
    assertFatal(
      (await limactlExpect(1, ["network", "ls"], { limaHome })).stderr,
      "invalid …",
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("network list lists names in the order given, warning about unknown ones", async () => {
  const limaHome = await tempLimaHome();
  try {
    const r = await limactlExpect(0, [
      "network",
      "ls",
      "shared",
      "nope",
      "host",
    ], {
      limaHome,
    });
    assert.deepEqual(lines(r.stdout).map((l) => l.split(/\s+/)[0]), [
      "NAME",
      "shared",
      "host",
    ]);
    assertWarning(r.stderr, "No network matching nope found.");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("network create adds a network and delete --force removes it", async () => {
  const limaHome = await tempLimaHome();
  try {
    await limactlExpect(0, [
      "network",
      "create",
      "foo",
      "--gateway",
      "192.168.42.1/24",
    ], { limaHome });
    await limactlExpect(0, [
      "network",
      "create",
      "br0",
      "--mode=bridged",
      "--interface=en1",
    ], { limaHome });
    const list = await limactlExpect(0, ["network", "ls", "foo", "br0"], {
      limaHome,
    });
    assert.deepEqual(lines(list.stdout).slice(1).map((l) => l.split(/\s+/)), [
      ["foo", "user-v2", "192.168.42.1/24", "-"],
      ["br0", "bridged", "-", "en1"],
    ]);
    const again = await limactlExpect(1, [
      "network",
      "create",
      "foo",
      "--gateway=10.0.0.1",
    ], { limaHome });
    assertFatal(again.stderr, "network `foo` already exists");
    const noGateway = await limactlExpect(1, [
      "network",
      "create",
      "bar",
      "--mode",
      "shared",
    ], { limaHome });
    assertFatal(
      noGateway.stderr,
      "network mode `shared` requires specifying gateway",
    );
    const noForce = await limactlExpect(1, ["network", "delete", "foo"], {
      limaHome,
    });
    assertFatal(
      noForce.stderr,
      "`limactl network delete` currently always requires `--force`",
    );
    await limactlExpect(0, ["network", "rm", "-f", "foo", "br0"], { limaHome });
    const after = await limactlExpect(0, ["network", "ls", "foo"], {
      limaHome,
    });
    assert.deepEqual(lines(after.stdout).length, 1);
    const help = await limactlExpect(0, ["network", "create", "--help"], {
      limaHome,
    });
    assert.match(help.stdout, /--mode string +mode \(default "user-v2"\)/);
    assert.match(
      help.stdout,
      /--gateway string +gateway, e\.g\., "192\.168\.42\.1\/24"/,
    );
    assert.match(
      help.stdout,
      /--interface string +interface for bridged mode/,
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

const offMac = Deno.build.os !== "darwin";
const NOT_HERE = new RegExp(
  "field `networks\\[0\\]\\.lima` is only supported on macOS right now: network `shared` \\(mode `shared`\\) runs on socket_vmnet, which does not exist on this " +
    Deno.build.os + " host",
);

Deno.test({
  name:
    "start refuses an existing instance's network this host cannot run, before preparing anything",
  ignore: !offMac,
  fn: async () => {
    const limaHome = await tempLimaHome();
    try {
      // As if created on a Mac: create validates the network since Lima does.
      await createDummyInstance("net", { limaHome });
      await Deno.writeTextFile(
        `${limaHome}/net/lima.yaml`,
        "{images: [location: /etc/profile], networks: [{lima: shared}]}",
      );
      const r = await limactlExpect(1, ["start", "--tty=false", "net"], {
        limaHome,
      });
      assert.match(
        r.stderr,
        /network `shared` \(networks\[0\]\.lima, mode `shared`\) is not supported on this host: shared networks run on socket_vmnet, which only exists on macOS, and this host is /,
      );
      assert.equal(await exists(`${limaHome}/net/basedisk`), false);
      assert.equal(await exists(`${limaHome}/net/ha.pid`), false);
    } finally {
      await Deno.remove(limaHome, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "create, start and validate refuse a socket_vmnet network off macOS, leaving no instance",
  ignore: !offMac,
  fn: async () => {
    const limaHome = await tempLimaHome();
    try {
      const template = `${limaHome}/net.yaml`;
      await Deno.writeTextFile(
        template,
        "images: [{location: /etc/profile}]\nnetworks: [{lima: shared}]\n",
      );
      const create = await limactlExpect(1, [
        "create",
        "--tty=false",
        template,
      ], { limaHome });
      assert.match(create.stderr, NOT_HERE);
      assert.equal(await exists(`${limaHome}/net`), false);
      for (let i = 0; i < 2; i++) {
        const start = await limactlExpect(1, [
          "start",
          "--tty=false",
          "--name=vm",
          "--network=lima:shared",
          "template:default",
        ], { limaHome });
        assert.match(start.stderr, NOT_HERE);
        assert.equal(await exists(`${limaHome}/vm`), false);
      }
      const validate = await limactlExpect(1, ["validate", template], {
        limaHome,
      });
      assert.match(validate.stderr, NOT_HERE);
    } finally {
      await Deno.remove(limaHome, { recursive: true });
    }
  },
});
