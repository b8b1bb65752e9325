/** How the host agent checks a requirement (requirements.ts) in the guest, over SSH. */
import type { Socket } from "node:net";
import type { LimaYAML } from "../config/schema.ts";
import { isAuthFailure } from "../ssh/client.ts";
import type { SSHPool } from "../ssh/pool.ts";
import type { SSHTarget } from "../ssh/target.ts";
import { sshBannerSocket } from "../ssh/wait.ts";
import { withTimeout } from "../timeout.ts";
import type { BootProgress } from "./boot_progress.ts";
import { scriptCommand, type ScriptRunner } from "./requirements.ts";

/** How long one requirement script may run before the attempt counts as failed. */
const SCRIPT_TIMEOUT_MS = 60_000;

/**
 * Runs each requirement's script over a connection from POOL, telling PROGRESS when sshd first
 * answers and whether logins are refused. A requirement without a script is met by the
 * connection alone, which costs the guest no session and no shell.
 */
export function scriptRunner(
  pool: Pick<SSHPool, "get">,
  target: SSHTarget,
  config: LimaYAML,
  progress: Pick<BootProgress, "sshdAnswered" | "loginRefused">,
): ScriptRunner {
  const linux = (config.os ?? "Linux") === "Linux";
  return async (req) => {
    // Until sshd answers, a login attempt would only wait for its own timeout. The login then
    // goes over the probe's connection, which spares sshd a second fork and re-exec.
    let sock: Socket | undefined;
    if (req.description === "ssh") {
      sock = await sshBannerSocket(target.host, target.port);
      if (!sock) return "no SSH banner received";
      progress.sshdAnswered();
    }
    const conn = await pool.get(target, sock).then((conn) => {
      progress.loginRefused(false);
      return conn;
    }, (err) => {
      if (isAuthFailure(err)) progress.loginRefused(true);
      throw err;
    });
    if (req.script === undefined) return undefined;
    const { command, stdin } = scriptCommand(req.script, {
      params: req.userScript && linux,
    });
    const result = await withTimeout(
      conn.run(command, { stdin }),
      SCRIPT_TIMEOUT_MS,
      () => {
        conn.close();
        throw new Error(
          `the script did not finish in ${SCRIPT_TIMEOUT_MS / 1000}s`,
        );
      },
    );
    if (result.code === 0) {
      req.onSuccess?.(new TextDecoder().decode(result.stdout));
      return undefined;
    }
    const stderr = new TextDecoder().decode(result.stderr).trim();
    return `exit status ${result.code}${stderr ? `: ${stderr}` : ""}`;
  };
}
