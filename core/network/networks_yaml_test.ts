import assert from "node:assert/strict";
import { LimaError } from "../errors.ts";
import { laughs } from "../../tests/fixtures/laughs.ts";
import {
  checkInstanceNetworks,
  defaultNetworksYAML,
  loadNetworks,
  parseNetworks,
  supportProblem,
} from "./networks_yaml.ts";
import { findSocketVMNet } from "./socket_vmnet_path.ts";

const bad = (text: string, message: RegExp) =>
  assert.throws(() => parseNetworks(text, "networks.yaml"), (err: unknown) => {
    assert.ok(err instanceof LimaError);
    assert.match(err.message, message);
    return true;
  });

Deno.test("the default file has Lima's four networks", () => {
  const config = parseNetworks(
    defaultNetworksYAML("/opt/socket_vmnet/bin/socket_vmnet"),
    "networks.yaml",
  );
  assert.deepEqual(Object.keys(config.networks), [
    "user-v2",
    "shared",
    "bridged",
    "host",
  ]);
  assert.equal(config.networks.shared.dhcpEnd, "192.168.105.254");
  assert.equal(config.networks.bridged.interface, "en0");
  assert.equal(config.group, "admin");
});

Deno.test("a user-v2 network is added when the file has none", () => {
  const config = parseNetworks(
    "networks:\n  lan:\n    mode: bridged\n    interface: eth1\n",
    "networks.yaml",
  );
  assert.equal(config.networks["user-v2"].mode, "user-v2");
});

Deno.test("bad fields are named", () => {
  bad("networks:\n  x:\n    mode: nat\n", /networks\.x\.mode.*must be one of/);
  bad(
    "networks:\n  x:\n    mode: shared\n    gateway: 300.1.1.1\n    netmask: 255.255.255.0\n",
    /networks\.x\.gateway.*IPv4/,
  );
  bad(
    "networks:\n  x:\n    mode: bridged\n",
    /networks\.x\.interface.*must be set/,
  );
  bad("networks:\n  x:\n    mode: host\n", /networks\.x\.gateway.*must be set/);
  bad("colour: blue\n", /colour.*not a known field/);
  bad("networks: [1, 2\n", /failed to parse/);
});

Deno.test("a netmask whose one bits are not contiguous is refused, naming the network", () => {
  const withMask = (mask: string) =>
    `networks:\n  lan:\n    mode: host\n    gateway: 192.168.106.1\n    netmask: ${mask}\n`;
  bad(
    withMask("255.0.255.0"),
    /field `networks\.lan\.netmask` .*`255\.0\.255\.0`/,
  );
  bad(withMask("255.255.254.255"), /networks\.lan\.netmask/);
  for (const mask of ["255.255.255.0", "255.255.240.0", "255.255.255.255"]) {
    assert.equal(
      parseNetworks(withMask(mask), "networks.yaml").networks.lan.netmask,
      mask,
    );
  }
});

Deno.test("socket_vmnet modes are macOS only; user-v2 runs on every host", () => {
  assert.equal(
    supportProblem({ mode: "shared" }, "linux"),
    "shared networks run on socket_vmnet, which only exists on macOS, and this host is linux",
  );
  for (const mode of ["shared", "host", "bridged"] as const) {
    assert.equal(supportProblem({ mode }, "darwin"), undefined);
  }
  for (const os of ["linux", "darwin", "windows"] as const) {
    assert.equal(supportProblem({ mode: "user-v2" }, os), undefined);
  }
});

Deno.test("the file is created on first use, and references are checked", async () => {
  const home = await Deno.makeTempDir();
  try {
    await loadNetworks(home);
    const text = await Deno.readTextFile(`${home}/_config/networks.yaml`);
    assert.equal(text, defaultNetworksYAML(findSocketVMNet()));
    await checkInstanceNetworks([{ socket: "/x" } as { lima?: string }], home);
    await assert.rejects(
      () => checkInstanceNetworks([{ lima: "nowhere" }], home),
      /networks\[0\]\.lima.*`nowhere` which is not defined in networks.yaml/,
    );
    if (Deno.build.os !== "darwin") {
      await assert.rejects(
        () => checkInstanceNetworks([{}, { lima: "shared" }], home),
        /network `shared` \(networks\[1\]\.lima, mode `shared`\) is not supported on this host/,
      );
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("hostile networks.yaml fails like lima.yaml: aliasing and nesting are bounded", () => {
  bad(
    `${laughs(7, 8)}networks: *l7\n`,
    /failed to parse `networks\.yaml`: document contains excessive aliasing/,
  );
  bad(
    `networks: ${"[".repeat(2_000_000)}`,
    /collections are nested more than 100 levels deep at line 1, column \d+/,
  );
  bad("group: a\ngroup: b\n", /Map keys must be unique/);
});
