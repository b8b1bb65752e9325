/**
 * The host side of the port-forwarding tunnel: TCP connections and UDP flows to guest addresses
 * carried over a channel the driver offers (QEMU: a virtio-serial port), without SSH and its
 * cipher (Lima's gRPC tunnel, `pkg/portfwd/client.go`). A dropped session (the guest's tunnel restarted) is
 * greeted again by the next dial.
 */
import type { Buffer } from "node:buffer";
import net from "node:net";
import type { Duplex } from "node:stream";
import type { TunnelFlow } from "./tunnel_flow.ts";
import { TunnelSession } from "./tunnel_session.ts";
import type { TunnelStream } from "./tunnel_stream.ts";

/** Opens the byte stream to the guest's end of the tunnel. */
export type TunnelConnect = () => Promise<Duplex>;

/** Connects to a UNIX socket (the driver's end of the channel). */
export function unixConnect(path: string): TunnelConnect {
  return () =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ path });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(socket);
      });
    });
}

export class Tunnel {
  readonly #connect: TunnelConnect;
  readonly #helloMs: number;
  #session: Promise<TunnelSession>;
  #closed = false;

  private constructor(
    connect: TunnelConnect,
    helloMs: number,
    first: TunnelSession,
  ) {
    this.#connect = connect;
    this.#helloMs = helloMs;
    this.#session = Promise.resolve(first);
  }

  /** A tunnel whose guest answered within HELLO_MS; throws why not otherwise. */
  static async open(connect: TunnelConnect, helloMs: number): Promise<Tunnel> {
    const session = await TunnelSession.start(await connect(), helloMs);
    return new Tunnel(connect, helloMs, session);
  }

  /** A stream to IP:PORT in the guest; rejects when the guest refuses or the tunnel is gone. */
  async dial(ip: string, port: number): Promise<TunnelStream> {
    return await (await this.#live()).dial(ip, port);
  }

  /** A UDP flow to IP:PORT in the guest; rejects when the tunnel is gone. */
  async openFlow(
    ip: string,
    port: number,
    onDatagram: (datagram: Buffer) => void,
  ): Promise<TunnelFlow> {
    return (await this.#live()).openFlow(ip, port, onDatagram);
  }

  /** The current session, or a new one when the guest's tunnel restarted. */
  async #live(): Promise<TunnelSession> {
    if (this.#closed) throw new Error("the tunnel is closed");
    const current = this.#session;
    const session = await current.catch(() => undefined);
    if (session?.alive) return session;
    // Concurrent callers share one new session.
    if (this.#session === current) {
      this.#session = this.#connect().then((channel) =>
        TunnelSession.start(channel, this.#helloMs)
      );
    }
    return await this.#session;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const session = await this.#session.catch(() => undefined);
    session?.close();
    await session?.closed;
  }
}
