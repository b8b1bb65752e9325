/**
 * QEMU's side of a user-v2 network: gvproxy's own QEMU socket takes a single connection, so the
 * daemon listens on `<name>_qemu.sock` itself and joins each QEMU that connects to the switch
 * through gvproxy's `GET /connect` upgrade on the endpoint socket. Both sides speak QEMU's stream
 * framing, so the bytes pass through unchanged.
 */
import { closeQuietly } from "../../close_quietly.ts";
import { logger } from "../../log.ts";
import { sleep } from "../../sleep.ts";

export interface QemuBridge {
  /** Stops accepting and closes every bridged connection. */
  close(): Promise<void>;
}

const CONNECT = new TextEncoder().encode(
  "GET /connect HTTP/1.1\r\nHost: lima\r\n\r\n",
);

/**
 * How long frames wait after the upgrade request: gvproxy reads the request through a buffer and
 * gives its switch only the bare connection, so frames read along with the request are lost.
 * QEMU sends nothing before the guest's NIC is up, seconds later; this covers a quick reconnect.
 */
const UPGRADE_SETTLE_MS = 50;

async function connectSwitch(endpointSocket: string): Promise<Deno.UnixConn> {
  const conn = await Deno.connect({ transport: "unix", path: endpointSocket });
  // gvproxy hijacks the request and answers with frames only, no HTTP response.
  await conn.write(CONNECT);
  await sleep(UPGRADE_SETTLE_MS);
  return conn;
}

/** Copies A to B until either ends, then closes both. */
async function splice(a: Deno.UnixConn, b: Deno.UnixConn): Promise<void> {
  const copy = async (from: Deno.UnixConn, to: Deno.UnixConn) => {
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        let off = 0;
        while (off < n) off += await to.write(buf.subarray(off, n));
      }
    } catch {
      // A closed side ends the bridge either way.
    }
    closeQuietly(a);
    closeQuietly(b);
  };
  await Promise.all([copy(a, b), copy(b, a)]);
}

/** Listens on LISTENPATH and bridges each connection to gvproxy at ENDPOINTSOCKET. */
export function serveQemuBridge(
  listenPath: string,
  endpointSocket: string,
): QemuBridge {
  const listener = Deno.listen({ transport: "unix", path: listenPath });
  const open = new Set<Promise<void>>();
  const conns = new Set<Deno.UnixConn>();
  const accepting = (async () => {
    for await (const qemu of listener) {
      conns.add(qemu);
      const work = (async () => {
        try {
          const sw = await connectSwitch(endpointSocket);
          conns.add(sw);
          logger.info("a VM joined the network");
          await splice(qemu, sw);
          conns.delete(sw);
          logger.info("a VM left the network");
        } catch (err) {
          logger.error(`failed to join a VM to the network: ${err}`);
          closeQuietly(qemu);
        }
        conns.delete(qemu);
      })();
      open.add(work);
      work.finally(() => open.delete(work));
    }
  })().catch(() => {});
  return {
    async close() {
      closeQuietly(listener);
      await accepting;
      for (const c of conns) closeQuietly(c);
      await Promise.all(open);
    },
  };
}
