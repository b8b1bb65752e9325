/**
 * The frames of the port-forwarding tunnel (the guest side is `tunnel` in
 * core/guestagent/agent.py): a 9-byte header, type (u8), stream id (u32 BE), payload length
 * (u32 BE), then the payload. Lima's gRPC tunnel (`pkg/portfwd/`, `pkg/guestagent/`) carries
 * the same open/data/close operations, for TCP and UDP, over its own channel. TCP streams and
 * UDP flows share one id space; `reset` ends either.
 */
import { Buffer } from "node:buffer";

export const FrameType = {
  /** Stream 0, payload HELLO_MAGIC: the host opens a session, the guest answers alike. */
  hello: 0,
  /** Host → guest: payload port (u16 BE) then the IP address as text. */
  open: 1,
  /** Guest → host: the connection of an `open` is established. */
  opened: 2,
  data: 3,
  /** The sender will write no more on this stream (a half close). */
  eof: 4,
  /** The stream is gone (refused, reset); the payload may say why. */
  reset: 5,
  /** Payload u32 BE: the receiver may send that many more data bytes on the stream. */
  window: 6,
  /**
   * Host → guest: a UDP flow (one host peer) to the address of the payload, laid out as in
   * `open`. Not answered: the guest sends `reset` if it cannot make the socket.
   */
  udpOpen: 7,
  /** One whole datagram of a UDP flow, either way; no window, as UDP may drop. */
  udpData: 8,
} as const;
export type FrameType = typeof FrameType[keyof typeof FrameType];

export const HEADER_SIZE = 9;
/** Bumped with each change of the frames (2: UDP flows); both sides must send the same. */
export const HELLO_MAGIC = Buffer.from("LIMATUN2");
/** What every version's magic starts with, to tell an older guest from a silent one. */
const MAGIC_PREFIX = Buffer.from("LIMATUN");
/** Data bytes either side may send on a stream before the other grants more. */
export const INITIAL_WINDOW = 256 * 1024;
/** The largest data payload a sender puts in one frame. */
export const MAX_DATA = 64 * 1024;
/** Larger announced payloads mean the byte stream is out of step: the session is dropped. */
export const MAX_PAYLOAD = 1024 * 1024;

export interface Frame {
  type: number;
  id: number;
  payload: Buffer;
}

export function encodeFrame(
  type: FrameType,
  id: number,
  payload: Uint8Array = new Uint8Array(0),
): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  out.writeUInt8(type, 0);
  out.writeUInt32BE(id, 1);
  out.writeUInt32BE(payload.length, 5);
  out.set(payload, HEADER_SIZE);
  return out;
}

export const helloFrame = (): Buffer =>
  encodeFrame(FrameType.hello, 0, HELLO_MAGIC);

export function openPayload(ip: string, port: number): Buffer {
  const out = Buffer.alloc(2 + Buffer.byteLength(ip));
  out.writeUInt16BE(port, 0);
  out.write(ip, 2);
  return out;
}

export function windowPayload(bytes: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(bytes, 0);
  return out;
}

/** Splits a byte stream into frames; `push` returns those completed by CHUNK. */
export class FrameDecoder {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Frame[] {
    this.#pending = this.#pending.length === 0
      ? Buffer.from(chunk)
      : Buffer.concat([this.#pending, chunk]);
    const frames: Frame[] = [];
    let at = 0;
    while (this.#pending.length - at >= HEADER_SIZE) {
      const size = this.#pending.readUInt32BE(at + 5);
      if (size > MAX_PAYLOAD) {
        throw new Error(
          `tunnel frame of ${size} bytes exceeds the limit of ${MAX_PAYLOAD}`,
        );
      }
      if (this.#pending.length - at < HEADER_SIZE + size) break;
      frames.push({
        type: this.#pending.readUInt8(at),
        id: this.#pending.readUInt32BE(at + 1),
        payload: this.#pending.subarray(
          at + HEADER_SIZE,
          at + HEADER_SIZE + size,
        ),
      });
      at += HEADER_SIZE + size;
    }
    this.#pending = this.#pending.subarray(at);
    return frames;
  }
}

/** The guest's hello: the magic it sent, and the bytes after it. */
export interface Hello {
  magic: string;
  rest: Buffer;
}

/**
 * Skips what precedes the guest's hello (bytes of an earlier session may still be in the
 * channel): its magic (another version's too) and the bytes after it, or undefined while it
 * has not arrived.
 */
export function findHello(received: Buffer): Hello | undefined {
  const head = encodeFrame(FrameType.hello, 0, HELLO_MAGIC).subarray(
    0,
    HEADER_SIZE + MAGIC_PREFIX.length,
  );
  const at = received.indexOf(head);
  const end = at + HEADER_SIZE + HELLO_MAGIC.length;
  if (at < 0 || received.length < end) return undefined;
  return {
    magic: received.subarray(at + HEADER_SIZE, end).toString(),
    rest: received.subarray(end),
  };
}
