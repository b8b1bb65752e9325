/**
 * `limactl shell --sync DIR` (Lima's `cmd/limactl/shell.go`): DIR is copied with rsync into the
 * guest under the user's home at the same path (`/home/me.linux` + `/work/proj`), the shell
 * runs there, and afterwards the changes come back and the guest copy is removed
 * (`sync_back.ts` decides how). The guest sees the directory only through this copy, so an
 * instance that shares host files with the guest is refused.
 */
import { dirname, resolve } from "node:path";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { lookPath } from "../look_path.ts";
import { quote } from "../quote.ts";
import { shellQuote } from "../shell_quote.ts";
import type { Instance } from "../instance/record.ts";
import type { RunResult, SSHConnection } from "./client.ts";
import { runRsync } from "./rsync_copy.ts";
import type { SyncBackSteps } from "./sync_back.ts";

/** A smaller depth would sync a home directory or the root: `/Users/USER` has depth 3. */
export const MIN_SYNC_DEPTH = 4;

export interface SyncRequest {
  /** The `--sync` value. */
  dir: string;
  /** Whether the instance has `mounts`. */
  hasMounts: boolean;
  vmType: string;
  /** Whether the guest sees the host's files anyway (wsl2: its driver declares so). */
  guestSeesHostFiles: boolean;
  /** `--workdir`. */
  workdir?: string;
  /** `user.home` of the instance. */
  guestHome: string;
}

/** The synced directory on the host and where its copy lives in the guest. */
export interface SyncDirs {
  host: string;
  guest: string;
}

/** The directories of REQUEST, or Lima's refusal, checked in Lima's order. */
export function syncDirs(request: SyncRequest): SyncDirs {
  if (request.hasMounts) {
    throw new LimaError({
      summary:
        "cannot use `--sync` when the instance has host mounts configured, start the instance with `--mount-none` to disable mounts",
    });
  }
  if (request.guestSeesHostFiles) {
    throw new LimaError({
      summary:
        `cannot use \`--sync\` with a ${request.vmType} instance, the host directory is already visible in the guest`,
    });
  }
  const host = resolve(request.dir);
  if (!lookPath("rsync")) {
    throw new LimaError({
      summary:
        'rsync is required for `--sync` but not found: exec: "rsync": executable file not found in $PATH',
    });
  }
  const depth = pathDepth(host);
  if (depth < MIN_SYNC_DEPTH) {
    throw new LimaError({
      summary: `expected the depth of the host working directory (${
        quote(host)
      }) to be at least ${MIN_SYNC_DEPTH}, only got ${depth} (Hint: cd to a deeper directory)`,
    });
  }
  if (request.workdir) {
    throw new LimaError({
      summary: "cannot use `--workdir` and `--sync` at the same time",
    });
  }
  return { host, guest: request.guestHome + host };
}

/** The number of fields of absolute PATH: `/` is 2, `/Users/me` is 3; repeated or trailing slashes add none. */
export function pathDepth(path: string): number {
  let slashed = path.replace(/\/{2,}/g, "/");
  const trimmed = slashed.replace(/\/$/, "");
  if (trimmed.includes("/")) slashed = trimmed;
  return slashed.split("/").length;
}

/**
 * The guest directory as rsync's remote side: before rsync 3.2.4 the remote shell splits it,
 * so it goes quoted, as Lima does.
 */
async function remotePath(path: string): Promise<string> {
  const out = await new Deno.Command(lookPath("rsync") ?? "rsync", {
    args: ["--version"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  const m = /version (\d+)\.(\d+)\.(\d+)/.exec(
    new TextDecoder().decode(out.stdout),
  );
  if (!m) {
    throw new LimaError({ summary: "failed to get rsync version" });
  }
  const [major, minor, patch] = m.slice(1).map(Number);
  const old = major * 1e6 + minor * 1e3 + patch < 3_002_004;
  return old ? shellQuote(path) : path;
}

/** A synced directory and how to reach its guest copy. */
export interface SyncSession {
  inst: Instance;
  conn: Pick<SSHConnection, "run">;
  dirs: SyncDirs;
  /** The guest directory as rsync is given it. */
  remote: string;
}

/** Copies the host directory into the guest, replacing what an earlier sync left there. */
export async function syncIn(
  inst: Instance,
  conn: Pick<SSHConnection, "run">,
  dirs: SyncDirs,
): Promise<SyncSession> {
  logger.info(
    `Syncing host current directory(${dirs.host}) to guest instance...`,
  );
  const mkdir = await conn.run(`mkdir -p ${shellQuote(dirs.guest)}`);
  if (mkdir.code !== 0) {
    throw new LimaError({
      summary: "failed to create the synced workdir in guest instance",
      detail: failure(mkdir),
    });
  }
  const remote = await remotePath(dirs.guest);
  try {
    await runRsync(
      [{ path: dirs.host }, { instance: inst.name, path: remote }],
      { recursive: true, extraArgs: ["--delete"] },
      inst,
    );
  } catch (err) {
    throw new LimaError({
      summary: "failed to rsync to the guest",
      detail: errorMessage(err),
    }, { cause: err });
  }
  logger.info(
    `Successfully synced host current directory to guest(${dirs.guest}) instance.`,
  );
  return { inst, conn, dirs, remote };
}

/** What `sync_back.ts` runs: rsync back, a dry run, the guest copy into a temporary directory, rm. */
export function syncBackSteps(session: SyncSession): SyncBackSteps {
  const { inst, dirs, remote } = session;
  const guestSide = { instance: inst.name, path: remote };
  return {
    guestDir: dirs.guest,
    hostDir: dirs.host,
    copyBack: () =>
      runRsync(
        [guestSide, { path: dirs.host }],
        { recursive: true, extraArgs: ["--delete"] },
        inst,
      ).then(() => {}),
    dryRun: () =>
      runRsync([guestSide, { path: dirname(dirs.host) }], {
        verbose: true,
        extraArgs: ["--dry-run", "--itemize-changes", "-ah", "--delete"],
        captureOutput: true,
      }, inst),
    copyTo: (dir) =>
      runRsync(
        [guestSide, { path: dir }],
        { recursive: true, extraArgs: ["--delete"] },
        inst,
      ).then(() => {}),
    removeGuestCopy: async () => {
      const rm = await session.conn.run(`rm -rf ${shellQuote(dirs.guest)}`);
      if (rm.code !== 0) {
        logger.warn("Failed to clean up guest synced workdir", {
          error: failure(rm),
        });
      }
    },
  };
}

/** What a failed guest command said, else its exit status. */
const failure = (r: RunResult) =>
  new TextDecoder().decode(r.stderr).trim() || `exit status ${r.code}`;
