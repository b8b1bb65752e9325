/** Waiting for a booting guest's SSH server: first its `SSH-` banner, then a successful login. */
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import { connect, type SSHConnection } from "./client.ts";
import type { SSHTarget } from "./target.ts";
import { sleep } from "../sleep.ts";

export interface WaitOptions {
  /** Give up after this long; default 10 minutes. */
  timeoutMs?: number;
  /** Pause between probes; default 500 ms. */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * True when HOST:PORT sends an `SSH-` banner within TIMEOUT_MS. A TCP connect alone proves
 * nothing: QEMU's user-mode network accepts connections before the guest's sshd listens
 * (and closes them at once while nothing listens). sshd sends its banner only after it has
 * forked and re-executed itself, which takes seconds on a busy emulated guest: a probe that
 * gave up after one second there missed every banner for as long as the guest stayed busy.
 */
export async function sshBanner(
  host: string,
  port: number,
  timeoutMs = 10_000,
): Promise<boolean> {
  let conn: Deno.TcpConn | undefined;
  let closed = false;
  const close = () => {
    if (!closed) conn?.close();
    closed = true;
  };
  const timer = setTimeout(close, timeoutMs);
  try {
    conn = await Deno.connect({ hostname: host, port });
    if (closed) return false;
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
    close();
  }
}

/**
 * Waits until TARGET accepts a login and runs `true`; returns that connection. Throws a
 * LimaError naming the last failure when the time is up.
 */
export async function waitForSSH(
  target: SSHTarget,
  options: WaitOptions = {},
): Promise<SSHConnection> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const interval = options.intervalMs ?? 500;
  const deadline = Date.now() + timeoutMs;
  let last = "no SSH banner received";
  const left = () => Math.max(1, deadline - Date.now());
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    if (await sshBanner(target.host, target.port, Math.min(left(), 5_000))) {
      try {
        const conn = await connect(target, {
          timeoutMs: Math.min(left(), 10_000),
          signal: options.signal,
        });
        const result = await conn.run("true");
        if (result.code === 0) return conn;
        conn.close();
        last = `\`true\` exited with ${result.code}`;
      } catch (err) {
        options.signal?.throwIfAborted();
        last = err instanceof LimaError
          ? err.diagnostic.detail ?? err.message
          : String(err);
      }
    } else {
      last = "no SSH banner received";
    }
    await sleep(Math.min(interval, left()));
  }
  throw new LimaError({
    summary: `timed out waiting for SSH on instance ${
      quote(target.name)
    } (${target.host}:${target.port})`,
    detail: last,
  });
}
