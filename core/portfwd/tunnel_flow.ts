/**
 * One UDP flow carried by the port-forwarding tunnel: the datagrams of one host peer to one
 * guest address, whole, one per frame. The guest gives the flow its own socket, so the
 * service's replies come back to this flow (as core/portfwd/udp_relay.py does over SSH).
 */
import type { Buffer } from "node:buffer";
import { type Frame, FrameType } from "./tunnel_frame.ts";

/** The session's side of a flow: a datagram or a reset out on its id, and its removal. */
export interface FlowLink {
  /** Sends a frame; a datagram may be dropped when the channel is backed up. */
  send(type: FrameType, payload?: Uint8Array): void;
  forget(): void;
}

export class TunnelFlow {
  readonly #link: FlowLink;
  readonly #onDatagram: (datagram: Buffer) => void;
  readonly #ended = Promise.withResolvers<Error | undefined>();
  #done = false;

  constructor(link: FlowLink, onDatagram: (datagram: Buffer) => void) {
    this.#link = link;
    this.#onDatagram = onDatagram;
  }

  /** Settles when the flow ends: undefined when the host closed it, else why it ended. */
  get ended(): Promise<Error | undefined> {
    return this.#ended.promise;
  }

  get alive(): boolean {
    return !this.#done;
  }

  send(datagram: Uint8Array): void {
    if (!this.#done) this.#link.send(FrameType.udpData, datagram);
  }

  /** Ends the flow; the guest closes its socket. */
  close(): void {
    if (this.#done) return;
    this.#link.send(FrameType.reset);
    this.#finish(undefined);
  }

  /** A frame of this flow from the guest. */
  receive(frame: Frame): void {
    if (frame.type === FrameType.udpData) this.#onDatagram(frame.payload);
    else if (frame.type === FrameType.reset) {
      this.#finish(
        new Error(
          `the guest ended the UDP flow${
            frame.payload.length ? `: ${frame.payload.toString()}` : ""
          }`,
        ),
      );
    }
  }

  /** The session ended under this flow. */
  abort(reason: Error): void {
    this.#finish(reason);
  }

  #finish(reason: Error | undefined): void {
    if (this.#done) return;
    this.#done = true;
    this.#link.forget();
    this.#ended.resolve(reason);
  }
}
