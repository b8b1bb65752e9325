/** The host side of the tunnel against a scripted guest over a UNIX socket pair. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import net from "node:net";
import { join } from "node:path";
import {
  encodeFrame,
  type Frame,
  FrameDecoder,
  FrameType,
  HELLO_MAGIC,
  helloFrame,
  INITIAL_WINDOW,
  windowPayload,
} from "./tunnel_frame.ts";
import { Tunnel } from "./tunnel.ts";
import { TunnelVersionError } from "./tunnel_session.ts";

/** A scripted guest: answers hellos (unless MUTE) and records every frame it gets. */
class FakeGuest {
  readonly frames: Frame[] = [];
  readonly sockets: net.Socket[] = [];
  onFrame: (frame: Frame, socket: net.Socket) => void = () => {};
  mute = false;
  /** Written before the hello answer: bytes of an earlier session. */
  stale: Buffer = Buffer.alloc(0);
  /** The hello it answers with: another version's to play an older guest. */
  hello: Buffer = helloFrame();

  constructor(readonly server: net.Server, readonly path: string) {
    server.on("connection", (socket) => {
      this.sockets.push(socket);
      const decoder = new FrameDecoder();
      socket.on("data", (chunk) => {
        for (const frame of decoder.push(chunk)) {
          this.frames.push(frame);
          if (frame.type === FrameType.hello) {
            if (!this.mute) {
              socket.write(Buffer.concat([this.stale, this.hello]));
            }
          } else this.onFrame(frame, socket);
        }
      });
      socket.on("error", () => {});
    });
  }

  static async start(): Promise<FakeGuest> {
    const path = join(await Deno.makeTempDir(), "tunnel.sock");
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return new FakeGuest(server, path);
  }

  connect = () =>
    new Promise<net.Socket>((resolve) => {
      const s = net.connect(this.path, () => resolve(s));
    });

  dataBytes(id: number): number {
    return this.frames.filter((f) => f.type === FrameType.data && f.id === id)
      .reduce((n, f) => n + f.payload.length, 0);
  }

  granted(id: number): number {
    return this.frames.filter((f) => f.type === FrameType.window && f.id === id)
      .reduce((n, f) => n + f.payload.readUInt32BE(0), 0);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
    await Deno.remove(join(this.path, ".."), { recursive: true });
  }
}

/** The guest accepts every open. */
const accepting = (frame: Frame, socket: net.Socket) => {
  if (frame.type === FrameType.open) {
    socket.write(encodeFrame(FrameType.opened, frame.id));
  }
};

const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));

Deno.test("the host skips an earlier session's bytes before the guest's hello", async () => {
  const guest = await FakeGuest.start();
  guest.stale = encodeFrame(FrameType.data, 3, Buffer.from("old")).subarray(
    0,
    11,
  );
  guest.onFrame = (frame, socket) => {
    if (frame.type !== FrameType.open) return;
    socket.write(encodeFrame(FrameType.opened, frame.id));
    socket.write(encodeFrame(FrameType.data, frame.id, Buffer.from("new")));
    socket.write(encodeFrame(FrameType.eof, frame.id));
  };
  const tunnel = await Tunnel.open(guest.connect, 2000);
  try {
    const stream = await tunnel.dial("127.0.0.1", 80);
    stream.end();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(Buffer.concat(chunks).toString(), "new");
    const open = guest.frames.find((f) => f.type === FrameType.open)!;
    assert.equal(open.payload.readUInt16BE(0), 80);
    assert.equal(open.payload.subarray(2).toString(), "127.0.0.1");
    assert.deepEqual(guest.frames[0].payload, HELLO_MAGIC);
  } finally {
    await tunnel.close();
    await guest.close();
  }
});

Deno.test("a guest that never answers the hello fails the tunnel within its wait", async () => {
  const guest = await FakeGuest.start();
  guest.mute = true;
  try {
    const started = Date.now();
    await assert.rejects(
      Tunnel.open(guest.connect, 1500),
      /did not answer within 1.5 s/,
    );
    assert.ok(Date.now() - started < 3000);
    // It was asked more than once: the guest may open its end late.
    assert.ok(
      guest.frames.filter((f) => f.type === FrameType.hello).length >= 2,
    );
  } finally {
    await guest.close();
  }
});

Deno.test("the host sends no more than the guest's window until it grants more", async () => {
  const guest = await FakeGuest.start();
  guest.onFrame = accepting;
  const tunnel = await Tunnel.open(guest.connect, 2000);
  try {
    const stream = await tunnel.dial("127.0.0.1", 80);
    stream.write(Buffer.alloc(1024 * 1024, 1));
    await settle();
    const id = guest.frames.find((f) => f.type === FrameType.open)!.id;
    assert.equal(guest.dataBytes(id), INITIAL_WINDOW);
    guest.sockets[0].write(
      encodeFrame(FrameType.window, id, windowPayload(1000)),
    );
    await settle();
    assert.equal(guest.dataBytes(id), INITIAL_WINDOW + 1000);
    stream.destroy();
    await settle();
    assert.ok(
      guest.frames.some((f) => f.type === FrameType.reset && f.id === id),
    );
  } finally {
    await tunnel.close();
    await guest.close();
  }
});

Deno.test("the host grants the guest more only as its reader takes the data", async () => {
  const guest = await FakeGuest.start();
  guest.onFrame = accepting;
  const tunnel = await Tunnel.open(guest.connect, 2000);
  try {
    const stream = await tunnel.dial("127.0.0.1", 80);
    const id = guest.frames.find((f) => f.type === FrameType.open)!.id;
    const sent = 2 * INITIAL_WINDOW;
    for (let at = 0; at < sent; at += 16 * 1024) {
      guest.sockets[0].write(
        encodeFrame(FrameType.data, id, Buffer.alloc(16 * 1024)),
      );
    }
    await settle();
    // Nobody reads: the grants stop at about the stream's buffer.
    assert.ok(
      guest.granted(id) < INITIAL_WINDOW,
      `granted ${guest.granted(id)}`,
    );
    let read = 0;
    stream.on("data", (d: Buffer) => read += d.length);
    await settle();
    assert.equal(read, sent);
    assert.equal(guest.granted(id), sent);
  } finally {
    await tunnel.close();
    await guest.close();
  }
});

Deno.test("a refused dial rejects with the guest's reason", async () => {
  const guest = await FakeGuest.start();
  guest.onFrame = (frame, socket) => {
    if (frame.type === FrameType.open) {
      socket.write(
        encodeFrame(
          FrameType.reset,
          frame.id,
          Buffer.from("Connection refused"),
        ),
      );
    }
  };
  const tunnel = await Tunnel.open(guest.connect, 2000);
  try {
    await assert.rejects(
      tunnel.dial("127.0.0.1", 81),
      /the guest could not connect: Connection refused/,
    );
  } finally {
    await tunnel.close();
    await guest.close();
  }
});

Deno.test("a dropped session fails its streams, and the next dial greets the guest again", async () => {
  const guest = await FakeGuest.start();
  guest.onFrame = accepting;
  const tunnel = await Tunnel.open(guest.connect, 2000);
  try {
    const stream = await tunnel.dial("127.0.0.1", 80);
    const failed = new Promise<Error>((r) => stream.once("error", r));
    guest.sockets[0].destroy();
    assert.match((await failed).message, /tunnel to the guest closed/);
    await settle();
    const again = await tunnel.dial("127.0.0.1", 80);
    assert.equal(guest.sockets.length, 2);
    again.destroy();
  } finally {
    await tunnel.close();
    await guest.close();
  }
});

Deno.test("a UDP flow sends at once, carries whole datagrams both ways, and its close resets it", async () => {
  const guest = await FakeGuest.start();
  // The guest answers each datagram with two, upper-cased and reversed.
  guest.onFrame = (frame, socket) => {
    if (frame.type !== FrameType.udpData) return;
    const text = frame.payload.toString();
    socket.write(Buffer.concat([
      encodeFrame(FrameType.udpData, frame.id, Buffer.from(text.toUpperCase())),
      encodeFrame(
        FrameType.udpData,
        frame.id,
        Buffer.from([...text].reverse().join("")),
      ),
    ]));
  };
  const tunnel = await Tunnel.open(guest.connect, 2000);
  try {
    const got: string[] = [];
    const flow = await tunnel.openFlow(
      "127.0.0.1",
      53,
      (d) => got.push(d.toString()),
    );
    flow.send(Buffer.from("abc"));
    flow.send(Buffer.from(""));
    await settle();
    assert.deepEqual(got, ["ABC", "cba", "", ""]);
    const frames = guest.frames.filter((f) => f.type !== FrameType.hello);
    assert.deepEqual(
      frames.map((f) => [f.type, f.payload.length]),
      [[FrameType.udpOpen, 11], [FrameType.udpData, 3], [
        FrameType.udpData,
        0,
      ]],
    );
    assert.equal(frames[0].payload.readUInt16BE(0), 53);
    flow.close();
    assert.equal(await flow.ended, undefined);
    flow.send(Buffer.from("late"));
    await settle();
    const after = guest.frames.filter((f) => f.id === frames[0].id).slice(3);
    assert.deepEqual(after.map((f) => f.type), [FrameType.reset]);
  } finally {
    await tunnel.close();
    await guest.close();
  }
});

Deno.test("a UDP flow ends when the guest resets it or the session drops", async () => {
  const guest = await FakeGuest.start();
  guest.onFrame = (frame, socket) => {
    if (
      frame.type === FrameType.udpOpen && frame.payload.readUInt16BE(0) === 1
    ) {
      socket.write(
        encodeFrame(FrameType.reset, frame.id, Buffer.from("no route")),
      );
    }
  };
  const tunnel = await Tunnel.open(guest.connect, 2000);
  try {
    const refused = await tunnel.openFlow("10.0.0.1", 1, () => {});
    assert.match(
      (await refused.ended)?.message ?? "",
      /the guest ended the UDP flow: no route/,
    );
    assert.equal(refused.alive, false);
    const flow = await tunnel.openFlow("127.0.0.1", 53, () => {});
    guest.sockets[0].destroy();
    // Why depends on how the socket ended (closed, reset): an error, not the host's close.
    assert.ok((await flow.ended) instanceof Error);
    // The next flow greets the guest again.
    const again = await tunnel.openFlow("127.0.0.1", 53, () => {});
    assert.equal(again.alive, true);
    assert.equal(guest.sockets.length, 2);
  } finally {
    await tunnel.close();
    await guest.close();
  }
});

Deno.test("a guest of another protocol version fails the tunnel at once", async () => {
  const guest = await FakeGuest.start();
  guest.hello = encodeFrame(FrameType.hello, 0, Buffer.from("LIMATUN1"));
  try {
    const started = Date.now();
    await assert.rejects(
      Tunnel.open(guest.connect, 5000),
      (err: Error) =>
        err instanceof TunnelVersionError &&
        /speaks LIMATUN1, not LIMATUN2/.test(err.message),
    );
    assert.ok(Date.now() - started < 1000, "it waited for another answer");
  } finally {
    await guest.close();
  }
});
