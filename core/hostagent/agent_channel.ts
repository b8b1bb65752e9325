/**
 * The host's end of the guest agent's channel (a UNIX socket the driver provides, such as
 * QEMU's virtio-serial port): the agent's events, read across reconnections.
 */
import { closeQuietly } from "../close_quietly.ts";
import { errorMessage } from "../errors.ts";
import { agentEvents, type ListenerEvent } from "../guestagent/events.ts";
import { logger } from "../log.ts";
import { sleep } from "../sleep.ts";

export interface ChannelOptions {
  onEvent: (event: ListenerEvent, first: boolean) => Promise<void>;
  signal: AbortSignal;
  retryMs: number;
  /** Give up when no event came this long after the first connection. */
  silentMs: number;
}

/**
 * Reads the agent's lines from the driver's channel, reconnecting when it closes. Any line the
 * host writes asks the agent for a full list; it is repeated until the agent answers, since
 * the guest may open its end later than the host. Returns whether the agent ever answered.
 */
export async function watchAgentChannel(
  path: string,
  o: ChannelOptions,
): Promise<boolean> {
  const deadline = Date.now() + o.silentMs;
  let answered = false;
  while (!o.signal.aborted && (answered || Date.now() < deadline)) {
    let conn: Deno.UnixConn | undefined;
    // The readable closes the connection at end of stream, and QEMU's exit ends the stream as
    // the host agent aborts: closing again must not throw from the abort listener.
    const close = () => closeQuietly(conn);
    try {
      conn = await Deno.connect({ transport: "unix", path });
      o.signal.addEventListener("abort", close, { once: true });
      const hello = new TextEncoder().encode("\n");
      let heard = false;
      const ask = () => !heard && conn!.write(hello).catch(() => {});
      ask();
      const timer = setInterval(ask, 2000);
      const silence = answered ? undefined : setTimeout(
        close,
        Math.max(0, deadline - Date.now()),
      );
      try {
        for await (const event of agentEvents(conn.readable)) {
          heard = answered = true;
          clearTimeout(silence);
          await o.onEvent(event, false);
        }
      } finally {
        clearInterval(timer);
        clearTimeout(silence);
        o.signal.removeEventListener("abort", close);
      }
    } catch (err) {
      if (!o.signal.aborted) {
        logger.debug(`guest agent channel: ${errorMessage(err)}`);
      }
    } finally {
      close();
    }
    await sleep(o.retryMs, o.signal);
  }
  return answered;
}
