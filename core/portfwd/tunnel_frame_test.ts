import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  afterHello,
  encodeFrame,
  FrameDecoder,
  FrameType,
  helloFrame,
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
  assert.equal(afterHello(stale), undefined);
  assert.deepEqual(
    afterHello(Buffer.concat([stale, helloFrame(), after])),
    after,
  );
});
