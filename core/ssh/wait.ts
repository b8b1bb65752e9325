/** Waiting for a booting guest's SSH server: first its `SSH-` banner, then a successful login. */
import { Buffer } from "node:buffer";
import { Socket } from "node:net";
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
 * A connection to HOST:PORT once it has sent an `SSH-` banner within TIMEOUT_MS, paused with
 * the banner put back, for an SSH client to log in on; undefined when no banner came. A TCP
 * connect alone proves nothing: QEMU's user-mode network accepts connections before the
 * guest's sshd listens (and closes them at once while nothing listens). sshd sends its banner
 * only after it has forked and re-executed itself, which takes seconds on a busy emulated
 * guest: a probe that gave up after one second there missed every banner for as long as the
 * guest stayed busy, and a login on a connection of its own after the probe pays that again.
 */
export function sshBannerSocket(
  host: string,
  port: number,
  timeoutMs = 10_000,
): Promise<Socket | undefined> {
  const { promise, resolve } = Promise.withResolvers<Socket | undefined>();
  const sock = new Socket();
  let got = Buffer.alloc(0);
  let settled = false;
  const settle = (banner: boolean) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    sock.off("data", onData).off("end", noBanner).off("close", noBanner);
    if (!banner) {
      sock.destroy();
      return resolve(undefined);
    }
    sock.pause();
    sock.unshift(got);
    resolve(sock);
  };
  const noBanner = () => settle(false);
  const onData = (chunk: Buffer) => {
    got = Buffer.concat([got, chunk]);
    if (got.length >= 4) {
      settle(got.subarray(0, 4).toString("latin1") === "SSH-");
    }
  };
  const timer = setTimeout(noBanner, timeoutMs);
  // Stays: an error after the hand-over, before the client listens, must not go unhandled.
  sock.on("error", noBanner);
  sock.on("data", onData).on("end", noBanner).on("close", noBanner);
  sock.connect({ host, port });
  return promise;
}

/** True when HOST:PORT sends an `SSH-` banner within TIMEOUT_MS (see `sshBannerSocket`). */
export async function sshBanner(
  host: string,
  port: number,
  timeoutMs = 10_000,
): Promise<boolean> {
  const sock = await sshBannerSocket(host, port, timeoutMs);
  sock?.destroy();
  return sock !== undefined;
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
    const sock = await sshBannerSocket(
      target.host,
      target.port,
      Math.min(left(), 5_000),
    );
    if (sock) {
      try {
        const conn = await connect(target, {
          timeoutMs: Math.min(left(), 10_000),
          signal: options.signal,
          sock,
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
