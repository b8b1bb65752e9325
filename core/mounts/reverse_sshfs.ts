/**
 * reverse-sshfs mounts (Lima's `pkg/hostagent/mount.go`, through sshocker's `reversesshfs`): the
 * guest runs `sshfs -o slave`, which speaks SFTP over its stdin/stdout; those are joined, through
 * an SSH exec channel, to an OpenSSH `sftp-server` on the host that is confined to the mount's
 * location (and read-only unless the mount is writable).
 */
import type { Mount } from "../config/schema.ts";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import type { SSHConnection } from "../ssh/client.ts";
import { shellQuote } from "../shell_quote.ts";
import { sleep } from "../sleep.ts";
import { resolvesWithin } from "../timeout.ts";

/** Where OpenSSH installs `sftp-server`, searched after `$PATH`. */
const SFTP_SERVER_PATHS = [
  "/usr/libexec/sftp-server",
  "/usr/libexec/openssh/sftp-server",
  "/usr/lib/sftp-server",
  "/usr/lib/openssh/sftp-server",
  "/usr/lib/ssh/sftp-server",
];

/**
 * How long to wait for the mount to appear in the guest (30 × 1 s, as sshocker's
 * `pkg/reversesshfs/reversesshfs.go`).
 */
const MOUNT_WAIT_MS = 30_000;

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o755) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The host's OpenSSH `sftp-server`, or a LimaError saying where it was looked for. */
export function findSFTPServer(
  path: string = Deno.env.get("PATH") ?? "",
): string {
  const candidates = [
    ...path.split(":").filter(Boolean).map((dir) => `${dir}/sftp-server`),
    ...SFTP_SERVER_PATHS,
  ];
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new LimaError({
    summary: "no sftp-server found on the host",
    detail: `looked in $PATH and ${SFTP_SERVER_PATHS.join(", ")}`,
    hint:
      "install OpenSSH's server package (Debian: openssh-sftp-server), or use another mountType",
  });
}

/** The guest command that mounts MOUNT over its stdin/stdout. */
export function sshfsCommand(mount: Mount, retry = false): string {
  const options = ["-o", "slave"];
  if (!mount.writable) options.push("-o", "ro");
  if (retry) {
    options.push("-o", "nonempty");
  } else {
    const extra = ["allow_other"];
    if (mount.sshfs?.cache === false) extra.push("cache=no");
    if (mount.sshfs?.followSymlinks) extra.push("follow_symlinks");
    options.push("-o", extra.join(","));
  }
  return [
    "sshfs",
    shellQuote(`:${mount.location}`),
    shellQuote(mount.mountPoint!),
    ...options,
  ].join(" ");
}

/** A mounted reverse-sshfs share; `close` unmounts it. */
export interface SSHFSMount {
  readonly mountPoint: string;
  close(): Promise<void>;
}

export interface MountOptions {
  /** The `sftp-server` binary; default: `findSFTPServer()`. */
  sftpServer?: string;
  /** How long to wait for the mount; default 30 s. */
  waitMs?: number;
}

/** Mounts MOUNT in the guest behind CONN (as sshocker's `reversesshfs` does for Lima). */
export async function mountReverseSSHFS(
  conn: SSHConnection,
  mount: Mount,
  options: MountOptions = {},
): Promise<SSHFSMount> {
  const location = mount.location!;
  const mountPoint = mount.mountPoint!;
  await Deno.mkdir(location, { recursive: true, mode: 0o755 });
  logger.info(`Mounting ${quote(location)} on ${quote(mountPoint)}`);
  const mkdir = await conn.run(`mkdir -p ${shellQuote(mountPoint)}`);
  if (mkdir.code !== 0) {
    throw new LimaError({
      summary: `failed to create the mount point ${quote(mountPoint)}`,
      detail: new TextDecoder().decode(mkdir.stderr).trim(),
    });
  }
  const sftpServer = options.sftpServer ?? findSFTPServer();
  const waitMs = options.waitMs ?? MOUNT_WAIT_MS;
  let attempt = await startSSHFS(conn, mount, sftpServer, false);
  if (!(await attempt.mounted(waitMs))) {
    await attempt.close();
    attempt = await startSSHFS(conn, mount, sftpServer, true);
    if (!(await attempt.mounted(waitMs))) {
      logger.warn(
        `${
          quote(mountPoint)
        } does not appear as a fuse.sshfs mount in the guest${
          attempt.stderr() ? `: ${attempt.stderr()}` : ""
        }`,
      );
    }
  }
  return { mountPoint, close: attempt.close };
}

async function startSSHFS(
  conn: SSHConnection,
  mount: Mount,
  sftpServer: string,
  retry: boolean,
) {
  const args = ["-e", "-d", mount.location!];
  if (!mount.writable) args.push("-R");
  const server = new Deno.Command(sftpServer, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let stderr = "";
  const remote = await conn.start(sshfsCommand(mount, retry), {
    stdin: server.stdout,
    stdout: server.stdin,
    stderr: new WritableStream({
      write(chunk) {
        stderr = (stderr + new TextDecoder().decode(chunk)).slice(-2000);
      },
    }),
  });
  let ended = false;
  remote.status.finally(() => ended = true);
  const close = async () => {
    try {
      server.kill("SIGTERM");
    } catch {
      // Already ended.
    }
    await server.status;
    await resolvesWithin(remote.status.catch(() => {}), 2000);
  };
  const mounted = async (waitMs: number) => {
    const check = `findmnt -n -o FSTYPE -M ${shellQuote(mount.mountPoint!)}`;
    const deadline = Date.now() + waitMs;
    while (!ended && Date.now() < deadline) {
      try {
        const out = await conn.run(check);
        if (new TextDecoder().decode(out.stdout).trim() === "fuse.sshfs") {
          return true;
        }
      } catch (err) {
        logger.debug(`checking the mount failed: ${errorMessage(err)}`);
      }
      await sleep(500);
    }
    return false;
  };
  return { close, mounted, stderr: () => stderr.trim() };
}
