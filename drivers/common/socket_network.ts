/**
 * Checks that the socket of each `socket:` network answers before the VM starts. QEMU connects
 * to it in the background: a missing or dead socket would leave the guest's NIC without a link,
 * reported only in QEMU's log.
 */
import { errorMessage, LimaError } from "../../core/errors.ts";
import type { NetworkAttachment } from "../../plugins/contract.ts";

/** Throws for the first `socket` attachment whose socket cannot be connected to. */
export async function checkSocketNetworks(
  attachments: readonly NetworkAttachment[],
): Promise<void> {
  for (const nw of attachments) {
    if (nw.kind === "socket") await connectOnce(nw);
  }
}

async function connectOnce(nw: NetworkAttachment): Promise<void> {
  const path = `networks[${nw.index}].socket`;
  const where = JSON.stringify(nw.socketPath);
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path: nw.socketPath });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new LimaError({
        summary: `the socket ${where} does not exist`,
        path,
        hint: "start socket_vmnet, or whatever serves it, first",
      });
    }
    if (err instanceof Deno.errors.ConnectionRefused) {
      throw new LimaError({
        summary: `the socket ${where} refuses connections`,
        path,
        hint:
          "nothing listens on it; start socket_vmnet (or whatever serves it) again",
      });
    }
    throw new LimaError({
      summary: `the socket ${where} cannot be connected to`,
      path,
      detail: errorMessage(err),
    });
  }
  conn.close();
}
