import assert from "node:assert/strict";
import { configureUserV2, leaseTimeoutMs, unexposeSSH } from "./usernet.ts";

/** A gvproxy API on a UNIX socket that leases MAC after two polls and records the rest. */
async function fakeGvproxy(mac: string) {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/ep.sock`;
  const requests: string[] = [];
  let polls = 0;
  const server = Deno.serve({ path, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/services/dhcp/leases") {
      polls++;
      return Response.json(
        polls > 2
          ? { "192.168.104.2": "5a:94:ef:e4:0c:dd", "192.168.104.3": mac }
          : { "192.168.104.2": "5a:94:ef:e4:0c:dd" },
      );
    }
    requests.push(`${url.pathname} ${await req.text()}`);
    return new Response("");
  });
  return {
    path,
    requests,
    polls: () => polls,
    async close() {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("a user-v2 NIC 0 waits for its lease, then gets the SSH forward and its DNS names", async () => {
  const api = await fakeGvproxy("52:55:55:aa:bb:cc");
  try {
    const ip = await configureUserV2({
      endpointSocket: api.path,
      macAddress: "52:55:55:AA:BB:CC",
      sshLocalPort: 60022,
      gateway: "192.168.104.2",
      hostname: "lima-vm",
      hosts: { "db.test": "10.0.0.5" },
      timeoutMs: 10_000,
    });
    assert.equal(ip, "192.168.104.3");
    assert.equal(api.polls(), 3);
    assert.deepEqual(api.requests.map((r) => JSON.parse(r.split(" ")[1])), [
      { local: "127.0.0.1:60022", protocol: "tcp" },
      { local: "127.0.0.1:60022", remote: "192.168.104.3:22", protocol: "tcp" },
      { name: "test.", records: [{ name: "db", ip: "10.0.0.5" }] },
      {
        name: "internal.",
        records: [
          { name: "host.lima", ip: "192.168.104.2" },
          { name: "lima-vm", ip: "192.168.104.3" },
        ],
      },
    ]);
    assert.deepEqual(api.requests.map((r) => r.split(" ")[0]), [
      "/services/forwarder/unexpose",
      "/services/forwarder/expose",
      "/services/dns/add",
      "/services/dns/add",
    ]);
    await unexposeSSH(api.path, 60022);
    assert.equal(
      api.requests.at(-1)?.split(" ")[0],
      "/services/forwarder/unexpose",
    );
  } finally {
    await api.close();
  }
});

Deno.test("no lease in time is an error naming the wait and how to lengthen it", async () => {
  const api = await fakeGvproxy("52:55:55:00:00:01");
  try {
    await assert.rejects(
      () =>
        configureUserV2({
          endpointSocket: api.path,
          macAddress: "52:55:55:ff:ff:ff",
          sshLocalPort: 60022,
          gateway: "192.168.104.2",
          hostname: "lima-vm",
          hosts: {},
          timeoutMs: 600,
        }),
      /usernet unable to resolve IP for SSH forwarding.*LIMA_USERNET_RESOLVE_IP_ADDRESS_TIMEOUT/s,
    );
  } finally {
    await api.close();
  }
});

Deno.test("LIMA_USERNET_RESOLVE_IP_ADDRESS_TIMEOUT is whole minutes, 2 by default", () => {
  assert.equal(leaseTimeoutMs(undefined), 120_000);
  assert.equal(leaseTimeoutMs("5"), 300_000);
  assert.equal(leaseTimeoutMs("soon"), 120_000);
});
