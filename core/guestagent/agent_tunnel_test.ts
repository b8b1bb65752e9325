/**
 * agent.py's tunnel mode driven by the host's Tunnel over a UNIX socket: the "guest" services
 * are this host's.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash, randomBytes } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import type { Duplex } from "node:stream";
import { startLocalTunnel } from "../../tests/fixtures/local_tunnel.ts";

/** A TCP server on 127.0.0.1; ON_CONNECTION handles each connection. */
async function server(
  onConnection: (socket: net.Socket) => void,
): Promise<{ port: number; close(): void }> {
  const s = net.createServer(onConnection);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return {
    port: (s.address() as net.AddressInfo).port,
    close: () => s.close(),
  };
}

const sha256 = (data: Uint8Array) =>
  createHash("sha256").update(data).digest("hex");

/** Writes DATA to STREAM in 64 KiB pieces, honouring back-pressure, then ends it. */
async function send(stream: Duplex, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length; at += 65536) {
    if (!stream.write(data.subarray(at, at + 65536))) {
      await new Promise((r) => stream.once("drain", r));
    }
  }
  stream.end();
}

/** Everything STREAM yields until its end. */
async function receive(stream: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function rssKiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

Deno.test("agent.py's tunnel echoes 8 MiB both ways at once intact", async () => {
  const echo = await server((c) => c.pipe(c));
  const local = await startLocalTunnel();
  try {
    const stream = await local.tunnel.dial("127.0.0.1", echo.port);
    const data = randomBytes(8 * 1024 * 1024);
    const [, back] = await Promise.all([send(stream, data), receive(stream)]);
    assert.equal(back.length, data.length);
    assert.equal(sha256(back), sha256(data));
  } finally {
    await local.close();
    echo.close();
  }
});

Deno.test("agent.py's tunnel carries a half close: the guest answers after the host's EOF", async () => {
  // The service reads to EOF, then answers with the hash of what it got.
  const hasher = await server((c) => {
    const hash = createHash("sha256");
    c.on("data", (d) => hash.update(d));
    c.on("end", () => c.end(hash.digest("hex")));
  });
  const local = await startLocalTunnel();
  try {
    const stream = await local.tunnel.dial("127.0.0.1", hasher.port);
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const [, answer] = await Promise.all([send(stream, data), receive(stream)]);
    assert.equal(answer.toString(), sha256(data));
  } finally {
    await local.close();
    hasher.close();
  }
});

Deno.test("agent.py's tunnel reports a refused connection to the host's dial", async () => {
  const closed = await server(() => {});
  const port = closed.port;
  closed.close();
  const local = await startLocalTunnel();
  try {
    await assert.rejects(
      local.tunnel.dial("127.0.0.1", port),
      /the guest could not connect: .*refused/i,
    );
    // The tunnel still serves other connections.
    const echo = await server((c) => c.pipe(c));
    const stream = await local.tunnel.dial("127.0.0.1", echo.port);
    const [, back] = await Promise.all([
      send(stream, Buffer.from("still there")),
      receive(stream),
    ]);
    assert.equal(back.toString(), "still there");
    echo.close();
  } finally {
    await local.close();
  }
});

Deno.test("a connection whose service stops reading stalls neither the others nor the agent's memory", async () => {
  const stalled: net.Socket[] = [];
  const sink = await server((c) => {
    c.pause();
    stalled.push(c);
  });
  const echo = await server((c) => c.pipe(c));
  const local = await startLocalTunnel();
  try {
    const before = await rssKiB(local.pid);
    const slow = await local.tunnel.dial("127.0.0.1", sink.port);
    const flood = randomBytes(32 * 1024 * 1024);
    const flooding = send(slow, flood);
    await new Promise((r) => setTimeout(r, 1000));
    const stream = await local.tunnel.dial("127.0.0.1", echo.port);
    const data = randomBytes(1024 * 1024);
    const [, back] = await Promise.all([send(stream, data), receive(stream)]);
    assert.equal(sha256(back), sha256(data));
    // The agent holds at most about a window of the flood, not the 32 MiB sent.
    const grown = (await rssKiB(local.pid)) - before;
    assert.ok(grown < 8 * 1024, `the agent grew by ${grown} KiB`);
    // Once the service reads again, the flood arrives whole.
    const got = createHash("sha256");
    let length = 0;
    const whole = new Promise<void>((resolve) => {
      stalled[0].on("data", (d: Buffer) => {
        got.update(d);
        length += d.length;
      });
      stalled[0].on("end", resolve);
    });
    stalled[0].resume();
    await flooding;
    await whole;
    assert.equal(length, flood.length);
    assert.equal(got.digest("hex"), sha256(flood));
    slow.destroy();
  } finally {
    await local.close();
    sink.close();
    echo.close();
  }
});

/** A UDP echo server on 127.0.0.1 answering `PEER_PORT:DATAGRAM`; SOURCES are the peers seen. */
async function udpEcho() {
  const sources = new Set<number>();
  const socket = dgram.createSocket("udp4");
  socket.on("message", (msg, peer) => {
    sources.add(peer.port);
    socket.send(
      Buffer.concat([Buffer.from(`${peer.port}:`), msg]),
      peer.port,
      peer.address,
    );
  });
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  return {
    port: socket.address().port,
    sources,
    close: () => socket.close(),
  };
}

async function openFds(pid: number): Promise<number> {
  return (await Array.fromAsync(Deno.readDir(`/proc/${pid}/fd`))).length;
}

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

Deno.test("agent.py's tunnel gives each UDP flow its own socket, so replies reach their flow whole", async () => {
  const echo = await udpEcho();
  const local = await startLocalTunnel();
  try {
    const got: Buffer[][] = [[], []];
    const flows = await Promise.all(
      got.map((into) =>
        local.tunnel.openFlow("127.0.0.1", echo.port, (d) => into.push(d))
      ),
    );
    const big = randomBytes(60_000);
    flows[0].send(Buffer.from("one"));
    flows[1].send(big);
    flows[0].send(Buffer.from("two"));
    await settle();
    assert.equal(echo.sources.size, 2, "the flows shared a socket");
    const [first, second] = got.map((g) =>
      g.map((d) => d.subarray(d.indexOf(":") + 1))
    );
    assert.deepEqual(first.map((d) => d.toString()), ["one", "two"]);
    assert.equal(second.length, 1);
    assert.equal(sha256(second[0]), sha256(big));
  } finally {
    await local.close();
    echo.close();
  }
});

Deno.test("a UDP flow the host closes releases its socket in agent.py", async () => {
  const echo = await udpEcho();
  const local = await startLocalTunnel();
  try {
    const before = await openFds(local.pid);
    const flows = await Promise.all(
      Array.from(
        { length: 20 },
        () => local.tunnel.openFlow("127.0.0.1", echo.port, () => {}),
      ),
    );
    for (const flow of flows) flow.send(Buffer.from("x"));
    await settle();
    assert.equal(await openFds(local.pid), before + 20);
    for (const flow of flows) flow.close();
    await settle();
    assert.equal(await openFds(local.pid), before);
  } finally {
    await local.close();
    echo.close();
  }
});
