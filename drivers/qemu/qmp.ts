/** A minimal QMP client over the instance's `qmp.sock` (QEMU Machine Protocol, JSON lines). */
import { errorMessage, LimaError } from "../../core/errors.ts";
import { readLines } from "../../core/read_lines.ts";
import { withTimeout } from "../../core/timeout.ts";

interface QmpReply {
  return?: unknown;
  error?: { class: string; desc: string };
  event?: string;
  QMP?: unknown;
}

export class QmpClient {
  readonly #conn: Deno.UnixConn;
  readonly #lines: AsyncIterator<string>;

  private constructor(conn: Deno.UnixConn) {
    this.#conn = conn;
    this.#lines = readLines(conn.readable)[Symbol.asyncIterator]();
  }

  /** Connects, reads the greeting and leaves capability negotiation mode. */
  static async connect(path: string, timeoutMs = 5000): Promise<QmpClient> {
    let conn: Deno.UnixConn;
    try {
      conn = await timeLimited(
        Deno.connect({ transport: "unix", path }),
        timeoutMs,
        `connect to ${path}`,
      );
    } catch (err) {
      throw new LimaError({
        summary: "failed to connect to QMP",
        detail: errorMessage(err),
      });
    }
    const client = new QmpClient(conn);
    try {
      await timeLimited(client.#next(), timeoutMs, "read the QMP greeting");
      await client.execute("qmp_capabilities", undefined, timeoutMs);
      return client;
    } catch (err) {
      client.close();
      throw err;
    }
  }

  /** Runs a command and returns its `return` value; a QMP error becomes a `LimaError`. */
  async execute(
    command: string,
    args?: Record<string, unknown>,
    timeoutMs = 30_000,
  ): Promise<unknown> {
    const request = JSON.stringify(
      args ? { execute: command, arguments: args } : { execute: command },
    ) + "\n";
    await this.#conn.write(new TextEncoder().encode(request));
    for (;;) {
      const reply = await timeLimited(
        this.#next(),
        timeoutMs,
        `run ${command}`,
      );
      if (reply.event !== undefined) continue;
      if (reply.error) {
        throw new LimaError({
          summary: `QMP command ${command} failed`,
          detail: reply.error.desc,
        });
      }
      return reply.return;
    }
  }

  /** Runs a human-monitor (HMP) command such as `savevm TAG` and returns its output. */
  async hmp(commandLine: string, timeoutMs = 30_000): Promise<string> {
    return String(
      await this.execute("human-monitor-command", {
        "command-line": commandLine,
      }, timeoutMs) ?? "",
    );
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  async #next(): Promise<QmpReply> {
    const { value, done } = await this.#lines.next();
    if (done) throw new LimaError({ summary: "QMP connection closed" });
    return JSON.parse(value) as QmpReply;
  }
}

/** PROMISE, or an error saying what was being tried once MS pass. */
function timeLimited<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  return withTimeout(promise, ms, () => {
    throw new Error(`timed out after ${ms} ms trying to ${what}`);
  });
}
