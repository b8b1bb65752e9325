import assert from "node:assert/strict";
import { freeLoopbackPort } from "../../tests/fixtures/free_port.ts";
import { LimaError } from "../errors.ts";
import { startDebugDNS } from "./debug_dns.ts";
import { startDNSServer } from "./dns_server.ts";
import { ask } from "./_dns_ask.ts";

/** A query of type ANY for a malformed name: the server answers without asking upstream. */
const MALFORMED = new Uint8Array([
  0x42,
  0x42,
  1,
  0,
  0,
  1,
  0,
  0,
  0,
  0,
  0,
  0,
  63,
]);

Deno.test("debug dns serves on the UDP and TCP ports given, and only UDP without TCPPORT", async () => {
  const udp = freeLoopbackPort();
  const tcp = freeLoopbackPort();
  const both = await startDebugDNS([String(udp), String(tcp)]);
  try {
    assert.deepEqual([both.udpPort, both.tcpPort], [udp, tcp]);
    const reply = await ask(udp, MALFORMED);
    assert.deepEqual([reply[0], reply[1]], [0x42, 0x42]);
    (await Deno.connect({ hostname: "127.0.0.1", port: tcp })).close();
  } finally {
    await both.close();
  }
  const alone = await startDebugDNS([String(udp)]);
  try {
    assert.equal(alone.tcpPort, 0);
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.1", port: tcp }),
      Deno.errors.ConnectionRefused,
    );
  } finally {
    await alone.close();
  }
});

Deno.test("debug dns refuses a port that is not a number, naming the argument", async () => {
  await assert.rejects(
    startDebugDNS(["53x"]),
    (err: unknown) =>
      err instanceof LimaError &&
      /argument UDPPORT must be a port number, got "53x"/.test(err.message),
  );
  await assert.rejects(
    startDebugDNS(["5353", "70000"]),
    /argument TCPPORT must be a port number/,
  );
});

Deno.test("a UDP port in use fails the start instead of serving nothing", async () => {
  const taken = await startDNSServer({ hosts: {} });
  try {
    await assert.rejects(startDNSServer({ hosts: {}, udpPort: taken.udpPort }));
  } finally {
    await taken.close();
  }
});
