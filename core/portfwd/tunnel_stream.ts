/**
 * One TCP connection carried by the port-forwarding tunnel, as a Node duplex stream. Writes wait
 * for the guest's window grants, and the host grants the guest more only as its reader takes
 * the data, so a slow connection holds at most a window plus the readable buffer on each side.
 */
import type { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import {
  type Frame,
  FrameType,
  INITIAL_WINDOW,
  MAX_DATA,
  windowPayload,
} from "./tunnel_frame.ts";

/** The session's side of a stream: frames out on its id, and its removal. */
export interface StreamLink {
  send(type: FrameType, payload?: Uint8Array): void;
  forget(): void;
}

type Callback = (err?: Error | null) => void;

export class TunnelStream extends Duplex {
  readonly #link: StreamLink;
  #credit = INITIAL_WINDOW;
  #waiting?: { chunk: Buffer; callback: Callback };
  /** Bytes received but not yet granted back, as the reader is behind. */
  #owed = 0;
  #sentEof = false;
  #gotEof = false;
  #peerReset = false;

  constructor(link: StreamLink) {
    super({ allowHalfOpen: true });
    this.#link = link;
  }

  /** A frame of this stream from the guest. */
  receive(frame: Frame): void {
    switch (frame.type) {
      case FrameType.data:
        if (this.#gotEof) return;
        if (this.push(frame.payload)) this.#grant(frame.payload.length);
        else this.#owed += frame.payload.length;
        return;
      case FrameType.eof:
        this.#gotEof = true;
        this.push(null);
        return;
      case FrameType.window:
        if (frame.payload.length !== 4) return;
        this.#credit += frame.payload.readUInt32BE(0);
        this.#flush();
        return;
      case FrameType.reset:
        this.#peerReset = true;
        this.destroy(
          new Error(
            `the guest reset the connection${
              frame.payload.length ? `: ${frame.payload.toString()}` : ""
            }`,
          ),
        );
    }
  }

  /** The session ended under this stream. */
  abort(reason: Error): void {
    this.#peerReset = true;
    this.destroy(reason);
  }

  override _write(chunk: Buffer, _encoding: string, callback: Callback): void {
    this.#waiting = { chunk, callback };
    this.#flush();
  }

  override _final(callback: Callback): void {
    this.#sentEof = true;
    this.#link.send(FrameType.eof);
    callback();
  }

  override _read(): void {
    if (this.#owed === 0) return;
    this.#grant(this.#owed);
    this.#owed = 0;
  }

  override _destroy(err: Error | null, callback: Callback): void {
    // A stream both sides finished needs no reset; one cut short does.
    if (!this.#peerReset && !(this.#sentEof && this.#gotEof)) {
      this.#link.send(FrameType.reset);
    }
    this.#link.forget();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.callback(err ?? new Error("the tunnel stream closed"));
    callback(err);
  }

  #grant(bytes: number): void {
    this.#link.send(FrameType.window, windowPayload(bytes));
  }

  /** Sends the waiting chunk as far as the guest's window allows. */
  #flush(): void {
    const waiting = this.#waiting;
    if (!waiting) return;
    while (waiting.chunk.length > 0 && this.#credit > 0) {
      const n = Math.min(waiting.chunk.length, this.#credit, MAX_DATA);
      this.#link.send(FrameType.data, waiting.chunk.subarray(0, n));
      this.#credit -= n;
      waiting.chunk = waiting.chunk.subarray(n);
    }
    if (waiting.chunk.length > 0) return;
    this.#waiting = undefined;
    waiting.callback();
  }
}
