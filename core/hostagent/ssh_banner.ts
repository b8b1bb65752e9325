/** Whether an SSH server answers on a port (its `SSH-` banner), before trying a full login. */

/**
 * True when HOST:PORT sends `SSH-` within TIMEOUT_MS. A TCP connect alone proves nothing:
 * QEMU's user-mode network accepts connections before the guest listens.
 */
export async function sshBanner(
  host: string,
  port: number,
  timeoutMs = 1000,
): Promise<boolean> {
  let conn: Deno.TcpConn | undefined;
  const timer = setTimeout(() => {
    try {
      conn?.close();
    } catch {
      // Already closed.
    }
    conn = undefined;
  }, timeoutMs);
  try {
    conn = await Deno.connect({ hostname: host, port });
    const buf = new Uint8Array(4);
    let got = 0;
    while (got < buf.length) {
      const n = await conn.read(buf.subarray(got));
      if (n === null) return false;
      got += n;
    }
    return new TextDecoder().decode(buf) === "SSH-";
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    try {
      conn?.close();
    } catch {
      // Closed by the timer.
    }
  }
}
