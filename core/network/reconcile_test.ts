import assert from "node:assert/strict";
import { parseNetworks } from "./networks_yaml.ts";
import { planUserV2Networks } from "./reconcile.ts";

const config = parseNetworks(
  `networks:
  user-v2: {mode: user-v2, gateway: 192.168.104.1, netmask: 255.255.255.0}
  lab: {mode: user-v2, gateway: 10.9.0.1, netmask: 255.255.0.0}
  shared: {mode: shared, gateway: 192.168.105.1, netmask: 255.255.255.0}
`,
  "networks.yaml",
);

Deno.test("the user-v2 networks of running instances and of the one starting run; the rest stop", () => {
  const instances = [
    { name: "a", running: true, networks: [{ lima: "user-v2" }] },
    { name: "b", running: false, networks: [{ lima: "lab" }] },
    { name: "c", running: true, networks: [{ lima: "shared" }, {}] },
  ];
  assert.deepEqual(planUserV2Networks(instances, config), {
    start: ["user-v2"],
    stop: ["lab"],
  });
  assert.deepEqual(planUserV2Networks(instances, config, { starting: "b" }), {
    start: ["lab", "user-v2"],
    stop: [],
  });
});

Deno.test("after the last instance on a network stops, its daemon stops; an unreadable instance keeps all", () => {
  const stopped = [
    { name: "a", running: false, networks: [{ lima: "user-v2" }] },
  ];
  assert.deepEqual(planUserV2Networks(stopped, config), {
    start: [],
    stop: ["lab", "user-v2"],
  });
  assert.deepEqual(planUserV2Networks(stopped, config, { skipped: true }), {
    start: [],
    stop: [],
  });
});
