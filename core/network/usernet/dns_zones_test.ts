import assert from "node:assert/strict";
import { dnsZones } from "./dns_zones.ts";

Deno.test("host names become zones by their last label; aliases are followed", () => {
  assert.deepEqual(
    dnsZones({
      "host.lima.internal": "192.168.104.2",
      "lima-vm.internal": "192.168.104.1",
      "db.test": "10.0.0.5",
      "alias.test": "db.test",
      "loop.test": "loop.test",
      gateway: "10.0.0.1",
    }),
    [
      {
        name: "test.",
        records: [{ name: "alias", ip: "10.0.0.5" }, {
          name: "db",
          ip: "10.0.0.5",
        }],
      },
      { name: "gateway", records: [], defaultIP: "10.0.0.1" },
      {
        name: "internal.",
        records: [
          { name: "host.lima", ip: "192.168.104.2" },
          { name: "lima-vm", ip: "192.168.104.1" },
        ],
      },
    ],
  );
});
