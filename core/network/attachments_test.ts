import assert from "node:assert/strict";
import type { LimaYAML } from "../config/schema.ts";
import { nic0MacAddress } from "../config/identity.ts";
import { LimaError } from "../errors.ts";
import { networkAttachments } from "./attachments.ts";
import type { NetworksConfig } from "./networks_yaml.ts";
import { usernetPaths } from "./usernet/paths.ts";

const HOME = "/L";
const networks = {
  paths: { socketVMNet: "", varRun: "/var/run/lima", sudoers: "" },
  group: "admin",
  networks: {
    "user-v2": {
      mode: "user-v2",
      gateway: "192.168.104.1",
      netmask: "255.255.255.0",
    },
    shared: {
      mode: "shared",
      gateway: "192.168.105.1",
      netmask: "255.255.255.0",
    },
  },
} as unknown as NetworksConfig;

Deno.test("socket networks are attached with their own socket and MAC, without networks.yaml", () => {
  const config: LimaYAML = {
    networks: [
      { vzNAT: true, macAddress: "52:55:55:00:00:01" },
      { socket: "/var/run/socket_vmnet", macAddress: "52:55:55:00:00:02" },
    ],
  };
  assert.deepEqual(networkAttachments(config, "/L/vm", undefined, HOME), [{
    index: 1,
    kind: "socket",
    socketPath: "/var/run/socket_vmnet",
    macAddress: "52:55:55:00:00:02",
    nic0: false,
  }]);
  assert.deepEqual(networkAttachments({}, "/L/vm", undefined, HOME), []);
});

Deno.test("a socket network before a user-v2 one leaves NIC 0 to the user-v2 network", () => {
  const config: LimaYAML = {
    networks: [
      { socket: "/s", macAddress: "52:55:55:00:00:01" },
      { lima: "shared", macAddress: "52:55:55:00:00:02" },
      { lima: "user-v2", macAddress: "52:55:55:00:00:03" },
    ],
  };
  const found = networkAttachments(config, "/L/vm", networks, HOME);
  assert.deepEqual(found.map((a) => [a.index, a.kind, a.nic0]), [
    [0, "socket", false],
    [1, "socket", false],
    [2, "user-v2", true],
  ]);
  assert.deepEqual(found[1], {
    index: 1,
    kind: "socket",
    socketPath: "/var/run/lima/socket_vmnet.shared",
    macAddress: "52:55:55:00:00:02",
    nic0: false,
  }, "a socket_vmnet network is its daemon's socket in varRun");
  assert.equal(found[2].macAddress, nic0MacAddress("/L/vm"));
  assert.equal(found[2].socketPath, usernetPaths("user-v2", HOME).qemuSocket);
});

Deno.test("a socket network without a MAC is refused naming its field", () => {
  assert.throws(
    () =>
      networkAttachments(
        { networks: [{ socket: "/s" }] },
        "/L/vm",
        undefined,
        HOME,
      ),
    (err: unknown) =>
      err instanceof LimaError &&
      err.diagnostic.path === "networks[0].macAddress",
  );
});
