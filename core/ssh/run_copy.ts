/**
 * `limactl copy SOURCE... TARGET`: paths are local, or `INSTANCE:PATH` in a running guest.
 * `--backend rsync` runs the host's rsync and `scp` the host's scp, both with the instance's
 * SSH options; `auto` takes rsync when it can copy the paths (host and guest have it) and scp
 * otherwise, as Lima's `pkg/copytool/copytool.go` does. A host without scp copies over SFTP on
 * an in-process SSH connection instead, so a copy needs nothing installed on either side.
 */
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { lookPath } from "../look_path.ts";
import { quote } from "../quote.ts";
import { connect, type SSHConnection } from "./client.ts";
import {
  copyFiles,
  type CopyLocation,
  localFileSystem,
  sftpFileSystem,
} from "./copy.ts";
import { type CopyPath, parseCopyPath } from "./copy_path.ts";
import { planRsync, rsyncCopy, runRsync } from "./rsync_copy.ts";
import { runningInstance } from "./running_instance.ts";
import { scpCopy } from "./scp_copy.ts";
import { sshTarget } from "./target.ts";

export const COPY_BACKENDS = ["auto", "rsync", "scp"] as const;

export interface CopyCommandOptions {
  recursive?: boolean;
  verbose?: boolean;
  backend?: string;
}

/** Copies ARGS (sources then target); returns nothing, throws a LimaError on failure. */
export async function runCopy(
  args: string[],
  options: CopyCommandOptions = {},
): Promise<void> {
  if (
    options.backend !== undefined &&
    !(COPY_BACKENDS as readonly string[]).includes(options.backend)
  ) {
    throw new LimaError({
      summary: `invalid backend ${
        quote(options.backend)
      }, must be one of: scp, rsync, auto`,
    });
  }
  if (args.length < 2) {
    throw new LimaError({
      summary: `requires at least 2 arg(s), only received ${args.length}`,
    });
  }
  const paths = args.map(parseCopyPath);
  if (options.backend === "rsync") {
    return await rsyncCopy(paths, options);
  }
  if ((options.backend ?? "auto") === "auto") {
    const plan = await planRsync(paths);
    if (!("problem" in plan)) {
      logger.debug("using copy tool `rsync`");
      await runRsync(paths, options, plan.inst);
      return;
    }
    logger.debug(`${plan.problem.diagnostic.summary}, falling back to scp`);
  }
  logger.debug("using copy tool `scp`");
  const scp = lookPath("scp");
  if (scp) return await scpCopy(scp, paths, options);
  logger.debug("scp not found on host, copying over SFTP");
  await sftpCopy(paths, options);
}

/** Copies PATHS over SFTP, one in-process SSH connection per instance. */
async function sftpCopy(
  paths: CopyPath[],
  options: CopyCommandOptions,
): Promise<void> {
  const connections = new Map<string, SSHConnection>();
  try {
    const locate = async (p: CopyPath): Promise<CopyLocation> => {
      if (p.instance === undefined) {
        return { fs: localFileSystem, path: p.path };
      }
      let conn = connections.get(p.instance);
      if (!conn) {
        const inst = await runningInstance(p.instance);
        conn = await connect(await sshTarget(inst), { retries: 2 });
        connections.set(p.instance, conn);
      }
      return {
        fs: sftpFileSystem(p.instance, await conn.sftp()),
        path: p.path,
      };
    };
    const locations: CopyLocation[] = [];
    for (const p of paths) locations.push(await locate(p));
    const target = locations.pop()!;
    await copyFiles(locations, target, {
      recursive: options.recursive,
      onFile: options.verbose
        ? (from, to) => logger.info(`${from} -> ${to}`)
        : undefined,
    });
  } finally {
    for (const conn of connections.values()) conn.close();
  }
}
