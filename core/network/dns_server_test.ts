import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { ask } from "./_dns_ask.ts";
import {
  parseQuestion,
  resolvConfServers,
  startDNSServer,
} from "./dns_server.ts";

function query(name: string, type: number, id = 0x1234): Uint8Array {
  const labels = name.split(".").flatMap((
    l,
  ) => [l.length, ...new TextEncoder().encode(l)]);
  return new Uint8Array([
    id >> 8,
    id & 0xff,
    0x01,
    0x00,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    ...labels,
    0,
    0,
    type,
    0,
    1,
  ]);
}

/** The answers of RESPONSE as [type, rdata] pairs (names are not decoded). */
function answers(response: Uint8Array): [number, number[]][] {
  const view = new DataView(response.buffer, response.byteOffset);
  const q = parseQuestion(response)!;
  let at = q.end;
  const out: [number, number[]][] = [];
  for (let i = 0; i < view.getUint16(6); i++) {
    while (response[at] !== 0) {
      if ((response[at] & 0xc0) === 0xc0) {
        at += 1;
        break;
      }
      at += response[at] + 1;
    }
    at += 1;
    const type = view.getUint16(at);
    const len = view.getUint16(at + 8);
    out.push([type, [...response.subarray(at + 10, at + 10 + len)]]);
    at += 10 + len;
  }
  return out;
}

Deno.test("resolv.conf nameservers are read in order", () => {
  assert.deepEqual(
    resolvConfServers("# x\nnameserver 10.0.0.1\nsearch lan\nnameserver ::1\n"),
    ["10.0.0.1", "::1"],
  );
});

Deno.test("static names get A records with a 5 s TTL, case-insensitively", async () => {
  await using server = await startDNSServer({
    hosts: { "host.lima.internal": "192.168.5.2", "My.Example": "10.1.2.3" },
    upstream: [],
  });
  const reply = await ask(server.udpPort, query("my.example", 1));
  assert.equal(reply[0], 0x12);
  assert.equal(reply[3] & 0x0f, 0, "NOERROR");
  assert.deepEqual(answers(reply), [[1, [10, 1, 2, 3]]]);
  const view = new DataView(reply.buffer);
  assert.equal(view.getUint32(reply.length - 10), 5);
});

Deno.test("an alias answers with a CNAME and the target's address", async () => {
  await using server = await startDNSServer({
    hosts: { "alias.test": "target.test", "target.test": "10.9.9.9" },
    upstream: [],
  });
  const found = answers(await ask(server.udpPort, query("alias.test", 1)));
  assert.equal(found.length, 2);
  assert.equal(found[0][0], 5);
  assert.deepEqual(found[1], [1, [10, 9, 9, 9]]);
});

Deno.test("AAAA for a static IPv4 name is an empty NOERROR answer", async () => {
  await using server = await startDNSServer({
    hosts: { "v4.test": "10.0.0.1" },
    upstream: [],
  });
  const reply = await ask(server.udpPort, query("v4.test", 28));
  assert.equal(reply[3] & 0x0f, 0);
  assert.deepEqual(answers(reply), []);
});

Deno.test("other names go to the upstream server; none answering is SERVFAIL", async () => {
  const upstream = dgram.createSocket("udp4");
  upstream.on("message", (msg, peer) => {
    const reply = new Uint8Array(msg);
    reply[2] |= 0x80;
    reply[3] = 0x83; // NXDOMAIN from upstream
    upstream.send(Buffer.from(reply), peer.port, peer.address);
  });
  await new Promise<void>((r) => upstream.bind(0, "127.0.0.1", r));
  const port = upstream.address().port;
  try {
    await using server = await startDNSServer({
      hosts: {},
      upstream: ["127.0.0.1"],
      upstreamPort: port,
    });
    const reply = await ask(server.udpPort, query("elsewhere.test", 1, 0x4321));
    assert.equal(reply[0], 0x43);
    assert.equal(reply[3] & 0x0f, 3, "the upstream's NXDOMAIN is passed on");
    await using lonely = await startDNSServer({ hosts: {}, upstream: [] });
    const failed = await ask(lonely.udpPort, query("elsewhere.test", 1));
    assert.equal(failed[3] & 0x0f, 2, "SERVFAIL without an upstream");
  } finally {
    upstream.close();
  }
});

Deno.test("queries over TCP are length-prefixed", async () => {
  await using server = await startDNSServer({
    hosts: { "tcp.test": "10.0.0.7" },
    upstream: [],
  });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.tcpPort,
  });
  const q = query("tcp.test", 1);
  await conn.write(new Uint8Array([q.length >> 8, q.length & 0xff, ...q]));
  const buf = new Uint8Array(512);
  const n = (await conn.read(buf))!;
  conn.close();
  const len = (buf[0] << 8) | buf[1];
  assert.equal(n, len + 2);
  assert.deepEqual(answers(buf.slice(2, 2 + len)), [[1, [10, 0, 0, 7]]]);
});
