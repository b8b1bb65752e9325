/**
 * One connection to the guest's tunnel (a byte stream such as QEMU's virtio-serial socket):
 * the hello exchange, then TCP streams and UDP flows multiplexed by id (frames in
 * tunnel_frame.ts).
 */
import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import { withTimeout } from "../timeout.ts";
import {
  encodeFrame,
  findHello,
  type Frame,
  FrameDecoder,
  FrameType,
  HELLO_MAGIC,
  helloFrame,
  openPayload,
} from "./tunnel_frame.ts";
import { TunnelFlow } from "./tunnel_flow.ts";
import { TunnelStream } from "./tunnel_stream.ts";

/** The guest answered with another version of the protocol: greeting it again cannot help. */
export class TunnelVersionError extends Error {}

/**
 * Bytes waiting for the channel above which datagrams to the guest are dropped, as a full
 * network would, rather than queued without bound.
 */
const DATAGRAM_QUEUE_LIMIT = 1024 * 1024;

interface PendingDial {
  resolve(stream: TunnelStream): void;
  reject(err: Error): void;
  stream: TunnelStream;
}

export class TunnelSession {
  readonly #channel: Duplex;
  readonly #decoder = new FrameDecoder();
  readonly #streams = new Map<number, TunnelStream>();
  readonly #flows = new Map<number, TunnelFlow>();
  readonly #dials = new Map<number, PendingDial>();
  #nextId = 1;
  #closedBy?: Error;
  readonly closed: Promise<void>;

  private constructor(channel: Duplex, rest: Buffer) {
    this.#channel = channel;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.closed = promise;
    channel.on("data", (chunk: Buffer) => this.#receive(chunk));
    channel.on("error", (err) => this.#end(err));
    channel.on("close", () => {
      this.#end(new Error("the tunnel to the guest closed"));
      resolve();
    });
    if (rest.length) this.#receive(rest);
  }

  /**
   * Greets the guest over CHANNEL, repeating the hello until it answers (the guest may open
   * its end later); throws when it has not answered within TIMEOUT_MS.
   */
  static async start(
    channel: Duplex,
    timeoutMs: number,
  ): Promise<TunnelSession> {
    let received = Buffer.alloc(0);
    const answered = new Promise<Buffer>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const hello = findHello(received);
        if (!hello) return;
        cleanup();
        channel.pause();
        if (hello.magic === HELLO_MAGIC.toString()) return resolve(hello.rest);
        reject(
          new TunnelVersionError(
            `the guest's tunnel speaks ${hello.magic}, not ${HELLO_MAGIC}: its guest agent is of another version`,
          ),
        );
      };
      const onClose = () => {
        cleanup();
        reject(new Error("the guest's tunnel closed before it answered"));
      };
      const cleanup = () => {
        channel.off("data", onData);
        channel.off("close", onClose);
        channel.off("error", onClose);
      };
      channel.on("data", onData);
      channel.once("close", onClose);
      channel.once("error", onClose);
    });
    const ask = () => channel.write(helloFrame());
    ask();
    const timer = setInterval(ask, 1000);
    try {
      const rest = await withTimeout(answered, timeoutMs, () => {
        throw new Error(
          `the guest's tunnel did not answer within ${timeoutMs / 1000} s`,
        );
      });
      const session = new TunnelSession(channel, rest);
      channel.resume();
      return session;
    } catch (err) {
      channel.destroy();
      throw err;
    } finally {
      clearInterval(timer);
    }
  }

  get alive(): boolean {
    return this.#closedBy === undefined;
  }

  /** A stream to IP:PORT in the guest, once the guest connected it. */
  dial(ip: string, port: number, timeoutMs = 10_000): Promise<TunnelStream> {
    if (this.#closedBy) return Promise.reject(this.#closedBy);
    const id = this.#takeId();
    const stream = new TunnelStream({
      send: (type, payload) => this.#send(type, id, payload),
      forget: () => this.#streams.delete(id),
    });
    // The session may end before the caller listens: that must not throw.
    stream.on("error", () => {});
    const opened = new Promise<TunnelStream>((resolve, reject) =>
      this.#dials.set(id, { resolve, reject, stream })
    );
    this.#send(FrameType.open, id, openPayload(ip, port));
    return withTimeout(opened, timeoutMs, () => {
      this.#dials.delete(id);
      this.#send(FrameType.reset, id);
      throw new Error(
        `the guest did not connect to ${ip}:${port} within ${
          timeoutMs / 1000
        } s`,
      );
    });
  }

  /**
   * A UDP flow to IP:PORT in the guest; ON_DATAGRAM gets the guest's replies. Usable at once:
   * the guest opens its socket before it reads the first datagram.
   */
  openFlow(
    ip: string,
    port: number,
    onDatagram: (datagram: Buffer) => void,
  ): TunnelFlow {
    if (this.#closedBy) throw this.#closedBy;
    const id = this.#takeId();
    const flow = new TunnelFlow({
      send: (type, payload) =>
        type === FrameType.udpData
          ? this.#sendDatagram(id, payload!)
          : this.#send(type, id, payload),
      forget: () => this.#flows.delete(id),
    }, onDatagram);
    this.#flows.set(id, flow);
    this.#send(FrameType.udpOpen, id, openPayload(ip, port));
    return flow;
  }

  close(): void {
    this.#channel.destroy();
  }

  #takeId(): number {
    const id = this.#nextId;
    this.#nextId = this.#nextId === 0xFFFFFFFF ? 1 : this.#nextId + 1;
    return id;
  }

  #send(type: FrameType, id: number, payload?: Uint8Array): void {
    if (!this.#closedBy) this.#channel.write(encodeFrame(type, id, payload));
  }

  #sendDatagram(id: number, datagram: Uint8Array): void {
    if (this.#channel.writableLength > DATAGRAM_QUEUE_LIMIT) return;
    this.#send(FrameType.udpData, id, datagram);
  }

  #receive(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (err) {
      this.#end(err as Error);
      this.#channel.destroy();
      return;
    }
    for (const frame of frames) this.#dispatch(frame);
  }

  #dispatch(frame: Frame): void {
    const dial = this.#dials.get(frame.id);
    if (dial) {
      this.#dials.delete(frame.id);
      if (frame.type === FrameType.opened) {
        this.#streams.set(frame.id, dial.stream);
        dial.resolve(dial.stream);
      } else {
        dial.reject(
          new Error(
            `the guest could not connect: ${
              frame.payload.toString() || "reset"
            }`,
          ),
        );
      }
      return;
    }
    this.#streams.get(frame.id)?.receive(frame);
    this.#flows.get(frame.id)?.receive(frame);
  }

  #end(reason: Error): void {
    if (this.#closedBy) return;
    this.#closedBy = reason;
    for (const dial of this.#dials.values()) dial.reject(reason);
    this.#dials.clear();
    for (const stream of [...this.#streams.values()]) stream.abort(reason);
    this.#streams.clear();
    for (const flow of [...this.#flows.values()]) flow.abort(reason);
    this.#flows.clear();
  }
}
