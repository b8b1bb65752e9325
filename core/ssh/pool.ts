/** Reusing one SSH connection per guest within a process (the host agent runs many commands). */
import type { Duplex } from "node:stream";
import { connect, type ConnectOptions, type SSHConnection } from "./client.ts";
import type { SSHTarget } from "./target.ts";

function keyOf(target: SSHTarget): string {
  return `${target.user}@${target.host}:${target.port}`;
}

/** Open connections by target; a closed or failed connection is replaced on the next `get`. */
export class SSHPool {
  #connections = new Map<string, Promise<SSHConnection>>();
  #options: ConnectOptions;

  constructor(options: ConnectOptions = {}) {
    this.#options = options;
  }

  /**
   * A live connection to TARGET, opened on first use; over SOCK, an open connection to the
   * server, when given (it is closed when a live connection is there already).
   */
  async get(target: SSHTarget, sock?: Duplex): Promise<SSHConnection> {
    const key = keyOf(target);
    const existing = this.#connections.get(key);
    if (existing) {
      const conn = await existing.catch(() => undefined);
      if (conn && !conn.closed) {
        sock?.destroy();
        return conn;
      }
      if (this.#connections.get(key) === existing) {
        this.#connections.delete(key);
      }
    }
    const opening = connect(target, { ...this.#options, sock });
    this.#connections.set(key, opening);
    opening.catch(() => {
      if (this.#connections.get(key) === opening) this.#connections.delete(key);
    });
    return await opening;
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    const all = [...this.#connections.values()];
    this.#connections.clear();
    for (const conn of await Promise.allSettled(all)) {
      if (conn.status === "fulfilled") conn.value.close();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
