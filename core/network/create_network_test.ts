/** `limactl network create|delete` editing networks.yaml as Lima's `cmd/limactl/network.go` does. */
import assert from "node:assert/strict";
import { createNetwork, createNetworkExpression } from "./create_network.ts";
import { deleteNetworks } from "./delete_networks.ts";
import { loadNetworks } from "./networks_yaml.ts";

Deno.test("the yq expression is Lima's, with the netmask from the prefix", () => {
  assert.equal(
    createNetworkExpression("foo", { gateway: "192.168.42.1/20" }),
    '.networks."foo" = {"mode":"user-v2","gateway":"192.168.42.1","netmask":"255.255.240.0","interface":""}',
  );
  assert.equal(
    createNetworkExpression("foo", { mode: "shared", gateway: "10.0.0.1" }),
    '.networks."foo" = {"mode":"shared","gateway":"10.0.0.1","netmask":"255.255.255.0","interface":""}',
  );
  assert.equal(
    createNetworkExpression("br", { mode: "bridged", interface: "en1" }),
    '.networks."br" = {"mode":"bridged","interface":"en1"}',
  );
});

Deno.test("create refuses what Lima refuses", () => {
  const cases: [Parameters<typeof createNetworkExpression>[1], string][] = [
    [{}, "network mode `user-v2` requires specifying gateway"],
    [
      { gateway: "1.2.3.4", interface: "en0" },
      "network mode `user-v2` does not support specifying interface",
    ],
    [
      { mode: "bridged" },
      "network mode `bridged` requires specifying interface",
    ],
    [
      { mode: "bridged", interface: "en0", gateway: "1.2.3.4" },
      "network mode `bridged` does not support specifying gateway",
    ],
    [{ gateway: "127.0.0.1" }, "invalid IP address: 127.0.0.1"],
    [{ gateway: "0.0.0.0/8" }, "invalid IP address: 0.0.0.0"],
    [
      { gateway: "1.2.3.4/33" },
      "failed to parse CIDR `1.2.3.4/33`: invalid CIDR address: 1.2.3.4/33",
    ],
    [
      { gateway: "nope" },
      "failed to parse CIDR `nope/24`: invalid CIDR address: nope/24",
    ],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => createNetworkExpression("x", options), { message });
  }
});

Deno.test("create and delete keep the rest of networks.yaml", async () => {
  const home = await Deno.makeTempDir();
  try {
    await loadNetworks(home);
    const file = `${home}/_config/networks.yaml`;
    const before = await Deno.readTextFile(file);
    await createNetwork("finch-shared", {
      mode: "shared",
      gateway: "192.168.107.1/24",
      home,
    });
    const after = await Deno.readTextFile(file);
    assert.ok(
      after.includes("# The group that is allowed to run socket_vmnet"),
    );
    assert.ok(after.endsWith(`  finch-shared:
    mode: shared
    gateway: 192.168.107.1
    netmask: 255.255.255.0
    interface: ""
`));
    const { networks } = await loadNetworks(home);
    assert.equal(networks["finch-shared"].gateway, "192.168.107.1");
    await assert.rejects(
      () => createNetwork("finch-shared", { gateway: "10.0.0.1", home }),
      { message: "network `finch-shared` already exists" },
    );
    await assert.rejects(
      () => createNetwork("a b", { gateway: "10.0.0.1", home }),
      /^LimaError: invalid network name `a b`: identifier `a b` must match/,
    );
    await assert.rejects(() => deleteNetworks(["finch-shared"], { home }), {
      message: "`limactl network delete` currently always requires `--force`",
    });
    await deleteNetworks(["finch-shared", "nowhere"], { force: true, home });
    const deleted = await Deno.readTextFile(file);
    // Only the comment under `paths:` moves to its key's indentation.
    assert.equal(
      deleted.replace("  # socketVMNet", "# socketVMNet"),
      before,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
