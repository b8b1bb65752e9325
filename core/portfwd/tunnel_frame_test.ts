import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  encodeFrame,
  findHello,
  FrameDecoder,
  FrameType,
  HELLO_MAGIC,
  helloFrame,
  openPayload,
} from "./tunnel_frame.ts";

Deno.test("frames split anywhere decode whole, and an oversized length is refused", () => {
  const bytes = Buffer.concat([
    encodeFrame(FrameType.data, 7, Buffer.from("hello")),
    encodeFrame(FrameType.eof, 7),
  ]);
  const decoder = new FrameDecoder();
  const frames = [...bytes].flatMap((b) => decoder.push(Uint8Array.of(b)));
  assert.deepEqual(
    frames.map((f) => [f.type, f.id, f.payload.toString()]),
    [[FrameType.data, 7, "hello"], [FrameType.eof, 7, ""]],
  );
  const bad = Buffer.alloc(9);
  bad.writeUInt32BE(64 * 1024 * 1024, 5);
  assert.throws(() => new FrameDecoder().push(bad), /exceeds the limit/);
});

Deno.test("the guest's hello is found after an earlier session's bytes", () => {
  const stale = encodeFrame(FrameType.data, 3, Buffer.from("old")).subarray(
    0,
    11,
  );
  const after = Buffer.from("next");
  assert.equal(findHello(stale), undefined);
  assert.deepEqual(findHello(Buffer.concat([stale, helloFrame(), after])), {
    magic: HELLO_MAGIC.toString(),
    rest: after,
  });
  // Half a hello is not one yet.
  assert.equal(findHello(helloFrame().subarray(0, 14)), undefined);
});

Deno.test("an older guest's hello is told apart by its magic", () => {
  const old = encodeFrame(FrameType.hello, 0, Buffer.from("LIMATUN1"));
  assert.equal(findHello(old)?.magic, "LIMATUN1");
  assert.notEqual(HELLO_MAGIC.toString(), "LIMATUN1");
});

Deno.test("UDP frames carry a flow's address and whole datagrams of any size", () => {
  const datagrams = [Buffer.alloc(0), Buffer.from("a"), Buffer.alloc(65507, 7)];
  const bytes = Buffer.concat([
    encodeFrame(FrameType.udpOpen, 9, openPayload("::1", 5353)),
    ...datagrams.map((d) => encodeFrame(FrameType.udpData, 9, d)),
  ]);
  const decoder = new FrameDecoder();
  const frames = [];
  for (let at = 0; at < bytes.length; at += 1000) {
    frames.push(...decoder.push(bytes.subarray(at, at + 1000)));
  }
  assert.deepEqual(
    frames.map((f) => [f.type, f.id]),
    [
      [FrameType.udpOpen, 9],
      [FrameType.udpData, 9],
      [FrameType.udpData, 9],
      [FrameType.udpData, 9],
    ],
  );
  assert.equal(frames[0].payload.readUInt16BE(0), 5353);
  assert.equal(frames[0].payload.subarray(2).toString(), "::1");
  assert.deepEqual(frames.slice(1).map((f) => f.payload), datagrams);
});
