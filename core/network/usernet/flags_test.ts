import assert from "node:assert/strict";
import { usernetOptions } from "./flags.ts";
import { formatLeasesFlag, parseLeasesFlag } from "./leases.ts";

Deno.test("limactl usernet flags become the daemon's options, Lima's defaults included", () => {
  assert.deepEqual(
    usernetOptions({
      pidfile: "/n/usernet_u.pid",
      endpoint: "/n/u_ep.sock",
      listenQemu: "/n/u_qemu.sock",
      listen: "/n/u_fd.sock",
      leases: "192.168.104.1=52:55:55:B3:BC:D9,192.168.104.2=5a:94:ef:e4:0c:df",
    }),
    {
      pidFile: "/n/usernet_u.pid",
      endpointSocket: "/n/u_ep.sock",
      qemuSocket: "/n/u_qemu.sock",
      subnet: "192.168.5.0/24",
      mtu: 1500,
      leases: {
        "192.168.104.1": "52:55:55:b3:bc:d9",
        "192.168.104.2": "5a:94:ef:e4:0c:df",
      },
    },
  );
});

Deno.test("limactl usernet refuses missing and malformed flags, naming them", () => {
  const ok = { pidfile: "/p", endpoint: "/e", listenQemu: "/q" };
  assert.throws(
    () => usernetOptions({ ...ok, pidfile: undefined }),
    /flag --pidfile must be specified/,
  );
  assert.throws(
    () => usernetOptions({ ...ok, listenQemu: undefined }),
    /flag --listen-qemu must be specified/,
  );
  assert.throws(() => usernetOptions({ ...ok, mtu: "big" }), /flag --mtu/);
  assert.throws(
    () => usernetOptions({ ...ok, subnet: "10.0.0.0" }),
    /invalid subnet/,
  );
  assert.throws(
    () => usernetOptions({ ...ok, leases: "192.168.104.1" }),
    /invalid --leases entry/,
  );
});

Deno.test("--leases round-trips, sorted", () => {
  const leases = {
    "10.0.0.9": "52:55:55:00:00:09",
    "10.0.0.3": "52:55:55:00:00:03",
  };
  const text = formatLeasesFlag(leases);
  assert.equal(text, "10.0.0.3=52:55:55:00:00:03,10.0.0.9=52:55:55:00:00:09");
  assert.deepEqual(parseLeasesFlag(text), leases);
  assert.deepEqual(parseLeasesFlag(""), {});
});
