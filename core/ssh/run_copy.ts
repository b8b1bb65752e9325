/**
 * `limactl copy SOURCE... TARGET`: paths are local, or `INSTANCE:PATH` in a running guest.
 * Every transfer goes over SFTP on the in-process SSH connection, whatever `--backend` says,
 * so host and guest need no `scp` or `rsync`.
 */
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { connect, type SSHConnection } from "./client.ts";
import {
  copyFiles,
  type CopyLocation,
  localFileSystem,
  sftpFileSystem,
} from "./copy.ts";
import { runningInstance } from "./running_instance.ts";
import { sshTarget } from "./target.ts";

export const COPY_BACKENDS = ["auto", "rsync", "scp"] as const;

export interface CopyCommandOptions {
  recursive?: boolean;
  verbose?: boolean;
  backend?: string;
}

/** A command-line path: on the host, or in instance `instance`. */
export interface CopyPath {
  instance?: string;
  path: string;
}

/** Parses `PATH` or `INSTANCE:PATH`; more than one colon is an error. */
export function parseCopyPath(arg: string): CopyPath {
  const parts = arg.split(":");
  if (parts.length === 1) return { path: arg };
  if (parts.length === 2) return { instance: parts[0], path: parts[1] };
  throw new LimaError({
    summary: `path ${JSON.stringify(arg)} contains multiple colons`,
  });
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
      summary: `invalid backend ${JSON.stringify(options.backend)}`,
      hint: `use one of ${COPY_BACKENDS.join(", ")}`,
    });
  }
  if (args.length < 2) {
    throw new LimaError({
      summary: `requires at least 2 arg(s), only received ${args.length}`,
    });
  }
  const paths = args.map(parseCopyPath);
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
