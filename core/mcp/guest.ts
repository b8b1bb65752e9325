/**
 * The guest as the MCP tools reach it: commands run as `limactl shell --workdir DIR` runs
 * them (Lima's tools call that command), files over SFTP, both over one pooled SSH connection.
 */
// @ts-types="@types/ssh2"
import type { SFTPWrapper } from "ssh2";
import type { SSHPool } from "../ssh/pool.ts";
import { shellScript } from "../ssh/shell_script.ts";
import type { SSHTarget } from "../ssh/target.ts";

/** What a command printed and how it ended. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
  code: number;
}

export class Guest {
  readonly #pool: SSHPool;
  readonly #target: SSHTarget;
  readonly #userShell?: string;

  /** The guest of TARGET through POOL; commands run in USER_SHELL (`user.shell`) when set. */
  constructor(pool: SSHPool, target: SSHTarget, userShell?: string) {
    this.#pool = pool;
    this.#target = target;
    this.#userShell = userShell;
  }

  /** Logs in, so that an unreachable guest fails before anything is served. */
  async connect(): Promise<void> {
    await this.#pool.get(this.#target);
  }

  /** Runs COMMAND in guest directory DIRECTORY; a missing directory exits 1, as in Lima. */
  async run(command: string[], directory: string): Promise<CommandOutput> {
    const script = shellScript({
      workdir: directory,
      hostHome: "/",
      mountLocations: [],
      userShell: this.#userShell,
      command,
    });
    const conn = await this.#pool.get(this.#target);
    const result = await conn.run(script);
    const decoder = new TextDecoder();
    return {
      stdout: decoder.decode(result.stdout),
      stderr: decoder.decode(result.stderr),
      code: result.code,
    };
  }

  /** Runs FN with an SFTP session that is closed afterwards. */
  async withSFTP<T>(fn: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const sftp = await (await this.#pool.get(this.#target)).sftp();
    try {
      return await fn(sftp);
    } finally {
      sftp.end();
    }
  }
}
