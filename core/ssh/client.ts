/**
 * The in-process SSH client (ssh2): connecting to a guest with retries, running commands
 * with streamed stdin/stdout/stderr and the remote exit code, PTY sessions, SFTP.
 */
// @ts-types="@types/ssh2"
import {
  type AnyAuthMethod,
  Client,
  type ClientChannel,
  type SFTPWrapper,
  utils,
} from "ssh2";
import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import type { SSHTarget } from "./target.ts";
import { sleep } from "../sleep.ts";

export interface ConnectOptions {
  /** Time allowed for TCP connect plus handshake plus login, per attempt; default 10 s. */
  timeoutMs?: number;
  /** Further attempts after a refused or dropped connection; default 0. */
  retries?: number;
  /** Pause between attempts; default 500 ms. */
  retryDelayMs?: number;
  /** Also retry when the guest rejects the key (it may not be installed yet while booting). */
  retryAuth?: boolean;
  signal?: AbortSignal;
  /** An open connection to the server for the first attempt (see `sshBannerSocket`). */
  sock?: Duplex;
}

/** How a remote command ended. */
export interface ExitStatus {
  /** The exit code; 255 when the command was killed by a signal or the status was lost, as OpenSSH reports it. */
  code: number;
  /** The signal name (`SIGTERM`, …) when the command was killed by one. */
  signal?: string;
}

/** A terminal to allocate for the command. */
export interface PtyOptions {
  term: string;
  rows: number;
  cols: number;
}

export interface ExecOptions {
  /** Bytes for the command's stdin; it gets EOF afterwards (and immediately when absent). */
  stdin?: ReadableStream<Uint8Array> | Uint8Array | string;
  /** Where stdout goes; discarded when absent. The stream is not closed. */
  stdout?: WritableStream<Uint8Array>;
  /** Where stderr goes; discarded when absent. The stream is not closed. */
  stderr?: WritableStream<Uint8Array>;
  /** Environment requests (the server may refuse names it does not accept). */
  env?: Record<string, string>;
  pty?: PtyOptions;
}

/** A command running in the guest. */
export interface RemoteProcess {
  /** Settles when the channel has closed and all output has been written. */
  readonly status: Promise<ExitStatus>;
  /** Tells the remote terminal its new size (PTY sessions). */
  resize(rows: number, cols: number): void;
}

/** Output of a command collected in memory. */
export interface RunResult extends ExitStatus {
  stdout: Uint8Array;
  stderr: Uint8Array;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * ChaCha20-Poly1305 first, unlike Lima's `Ciphers` option (AES-GCM first, for OpenSSH's
 * AES-NI): ssh2 has no native crypto under Deno, and Deno's AES-GCM runs at about 150 MB/s
 * where its ChaCha20 runs at over 1 GB/s, so AES-GCM capped `copy` throughput. CTR modes only
 * as a fallback for old servers.
 */
const CIPHERS = [
  "chacha20-poly1305@openssh.com",
  "aes128-gcm@openssh.com",
  "aes256-gcm@openssh.com",
  "aes128-ctr",
  "aes256-ctr",
] as const;

/** One authenticated SSH connection to a guest. */
export class SSHConnection {
  #client: Client;
  #closed = false;
  readonly target: SSHTarget;

  constructor(client: Client, target: SSHTarget) {
    this.#client = client;
    this.target = target;
    client.on("close", () => this.#closed = true);
    client.on("end", () => this.#closed = true);
  }

  /** The underlying ssh2 client, for channel types this class does not wrap (port forwarding). */
  get client(): Client {
    return this.#client;
  }

  /** Whether the connection has ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Starts COMMAND (a shell command line run by the login user's shell). */
  async start(
    command: string,
    options: ExecOptions = {},
  ): Promise<RemoteProcess> {
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      this.#client.exec(command, {
        env: options.env,
        pty: options.pty
          ? {
            term: options.pty.term,
            rows: options.pty.rows,
            cols: options.pty.cols,
          }
          : undefined,
      }, (err, ch) => err ? reject(err) : resolve(ch));
    }).catch((err) => {
      throw new LimaError({
        summary: `failed to run a command in instance ${
          quote(this.target.name)
        }`,
        detail: String(err?.message ?? err),
      }, {
        cause: err,
      });
    });
    return runChannel(channel, options);
  }

  /** Runs COMMAND to completion, streaming as OPTIONS say. */
  async exec(command: string, options: ExecOptions = {}): Promise<ExitStatus> {
    return await (await this.start(command, options)).status;
  }

  /** Runs COMMAND and collects its output. */
  async run(
    command: string,
    options: { stdin?: Uint8Array | string } = {},
  ): Promise<RunResult> {
    const out = collector();
    const err = collector();
    const status = await this.exec(command, {
      stdin: options.stdin,
      stdout: out.stream,
      stderr: err.stream,
    });
    return { ...status, stdout: out.bytes(), stderr: err.bytes() };
  }

  /** Opens an SFTP session. */
  sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
      this.#client.sftp((err, sftp) => {
        if (err) {
          reject(
            new LimaError({
              summary: `failed to open an SFTP session to instance ${
                quote(this.target.name)
              }`,
              detail: err.message,
            }, {
              cause: err,
            }),
          );
        } else {
          resolve(sftp);
        }
      });
    });
  }

  close(): void {
    this.#closed = true;
    this.#client.end();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function collector(): {
  stream: WritableStream<Uint8Array>;
  bytes: () => Uint8Array;
} {
  const chunks: Uint8Array[] = [];
  return {
    stream: new WritableStream({
      write: (chunk) => void chunks.push(chunk.slice()),
    }),
    bytes: () => {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      return all;
    },
  };
}

/** Connects channel output to STREAM with backpressure; resolves when the source ends. */
function pump(
  source: NodeJS.ReadableStream,
  stream: WritableStream<Uint8Array> | undefined,
): Promise<void> {
  const writer = stream?.getWriter();
  return new Promise<void>((resolve, reject) => {
    let pending = Promise.resolve();
    source.on("data", (chunk: Buffer) => {
      if (!writer) return;
      const bytes = new Uint8Array(
        chunk.buffer,
        chunk.byteOffset,
        chunk.byteLength,
      ).slice();
      source.pause();
      pending = pending.then(() => writer.write(bytes)).then(
        () => void source.resume(),
        (err) => reject(err),
      );
    });
    source.on("end", () => pending.then(() => resolve(), reject));
    source.on("error", reject);
  }).finally(() => writer?.releaseLock());
}

/** Feeds STDIN into the channel, honouring its flow control, then sends EOF. */
async function feed(
  channel: ClientChannel,
  stdin: ExecOptions["stdin"],
  done: Promise<unknown>,
): Promise<void> {
  if (stdin === undefined) {
    channel.end();
    return;
  }
  if (typeof stdin === "string" || stdin instanceof Uint8Array) {
    channel.end(Buffer.from(stdin));
    return;
  }
  const reader = stdin.getReader();
  // The command may exit without reading all of stdin (`true < bigfile`): stop reading then.
  let finished = false;
  done.finally(() => {
    finished = true;
    reader.cancel().catch(() => {});
  });
  try {
    for (;;) {
      const { value, done: eof } = await reader.read();
      if (eof || finished) break;
      if (!channel.write(Buffer.from(value))) {
        await new Promise<void>((resolve) => {
          channel.once("drain", resolve);
          channel.once("close", resolve);
        });
      }
    }
  } catch (err) {
    if (!finished) logger.debug(`reading stdin failed: ${err}`);
  } finally {
    reader.releaseLock();
  }
  if (!finished) channel.end();
}

function runChannel(
  channel: ClientChannel,
  options: ExecOptions,
): RemoteProcess {
  let exit: ExitStatus | undefined;
  channel.on("exit", (code: number | null, signal?: string) => {
    exit = code !== null && code !== undefined
      ? { code }
      : { code: 255, signal: signal ?? undefined };
  });
  const closed = new Promise<void>((resolve) =>
    channel.once("close", () => resolve())
  );
  const outputs = Promise.all([
    pump(channel, options.stdout),
    pump(channel.stderr, options.stderr),
  ]);
  feed(channel, options.stdin, closed);
  const status = Promise.all([closed, outputs]).then(() =>
    exit ?? { code: 255 }
  );
  return {
    status,
    resize: (rows, cols) => channel.setWindow(rows, cols, 0, 0),
  };
}

interface LoadedKey {
  file: string;
  key: Buffer;
}

/** Reads the identity files; unreadable, encrypted or unparsable keys are skipped (OpenSSH would skip them in batch mode too). */
async function loadKeys(files: string[]): Promise<LoadedKey[]> {
  const keys: LoadedKey[] = [];
  for (const file of files) {
    let data: Uint8Array;
    try {
      data = await Deno.readFile(file);
    } catch (err) {
      logger.debug(`skipping SSH key ${file}: ${err}`);
      continue;
    }
    const parsed = utils.parseKey(Buffer.from(data));
    if (parsed instanceof Error) {
      logger.debug(`skipping SSH key ${file}: ${parsed.message}`);
      continue;
    }
    keys.push({ file, key: Buffer.from(data) });
  }
  return keys;
}

/** Errors after which trying again may help: nothing listening yet, or the guest dropped us while booting. */
function isTransient(err: Error & { code?: string; level?: string }): boolean {
  if (
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ECONNABORTED"]
      .includes(err.code ?? "")
  ) return true;
  return /timed out|handshake|closed|ended|reset/i.test(err.message);
}

/** Whether ERR (or the error `connect` wrapped) is the server refusing every key. */
export function isAuthFailure(err: unknown): boolean {
  const e = err as { level?: string; cause?: { level?: string } } | null;
  return e?.level === "client-authentication" ||
    e?.cause?.level === "client-authentication";
}

function connectOnce(
  target: SSHTarget,
  keys: LoadedKey[],
  timeoutMs: number,
  signal?: AbortSignal,
  sock?: Duplex,
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const methods: AnyAuthMethod[] = keys.map(({ key }) => ({
      type: "publickey",
      username: target.user,
      key,
    }));
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      client.end();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new Error(`timed out after ${timeoutMs / 1000}s`)),
      timeoutMs,
    );
    const onAbort = () =>
      fail(
        signal?.reason instanceof Error ? signal.reason : new Error("aborted"),
      );
    signal?.addEventListener("abort", onAbort, { once: true });
    client.on("ready", () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(client);
    });
    // The cipher bounds how fast `copy` and `shell` move data.
    client.on("handshake", (negotiated) =>
      logger.debug(
        `SSH to instance ${quote(target.name)}: cipher ${negotiated.cs.cipher}`,
      ));
    client.on("error", fail);
    client.on(
      "close",
      () => fail(new Error("connection closed before login completed")),
    );
    const agent = target.forwardAgent
      ? Deno.env.get("SSH_AUTH_SOCK")
      : undefined;
    client.connect({
      host: target.host,
      port: target.port,
      sock,
      username: target.user,
      readyTimeout: timeoutMs,
      // The guest's host key is new on every instance; Lima does not check it (StrictHostKeyChecking=no).
      hostVerifier: () => true,
      authHandler: methods,
      agent,
      agentForward: agent !== undefined,
      algorithms: { cipher: [...CIPHERS], compress: ["none"] },
    });
    // Interactive keystrokes and SFTP request/response round trips must not wait for Nagle.
    client.setNoDelay(true);
  });
}

/**
 * Logs in to TARGET; throws a LimaError naming the instance and the last failure. An open
 * `options.sock` serves the first attempt and is closed when no attempt was made on it.
 */
export async function connect(
  target: SSHTarget,
  options: ConnectOptions = {},
): Promise<SSHConnection> {
  let sock = options.sock;
  try {
    return await connectWithRetries(target, options, () => {
      const first = sock;
      sock = undefined;
      return first;
    });
  } finally {
    sock?.destroy();
  }
}

async function connectWithRetries(
  target: SSHTarget,
  options: ConnectOptions,
  takeSock: () => Duplex | undefined,
): Promise<SSHConnection> {
  const keys = await loadKeys(target.identityFiles);
  if (keys.length === 0) {
    throw new LimaError({
      summary: `no usable SSH private key for instance ${quote(target.name)}`,
      detail: `tried ${target.identityFiles.join(", ")}`,
    });
  }
  const attempts = 1 + (options.retries ?? 0);
  let last: Error = new Error("not attempted");
  for (let attempt = 1; attempt <= attempts; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return new SSHConnection(
        await connectOnce(
          target,
          keys,
          options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          options.signal,
          takeSock(),
        ),
        target,
      );
    } catch (err) {
      last = err as Error;
      options.signal?.throwIfAborted();
      const retry = isTransient(last) ||
        (options.retryAuth === true && isAuthFailure(last));
      logger.debug(
        `SSH connection to ${target.host}:${target.port} failed (attempt ${attempt}/${attempts}): ${last.message}`,
      );
      if (!retry || attempt === attempts) break;
      await sleep(options.retryDelayMs ?? 500);
    }
  }
  throw new LimaError({
    summary: `failed to connect to instance ${
      quote(target.name)
    } over SSH (${target.host}:${target.port})`,
    detail: isAuthFailure(last)
      ? `the guest did not accept the key ${keys[0].file} for user ${
        quote(target.user)
      }`
      : last.message,
  }, { cause: last, exitCode: 255 });
}
