/**
 * Copying files and directories between the host and guests over SFTP, byte for byte,
 * with `cp`/`scp` semantics: into an existing directory, or to a new name.
 */
// @ts-types="@types/ssh2"
import type { SFTPWrapper, Stats } from "ssh2";
import { createReadStream, createWriteStream } from "node:fs";
import { basename as localBasename, join as localJoin } from "node:path";
import { posix } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { LimaError } from "../errors.ts";
import { ifFound } from "../if_found.ts";
import { sftpCall } from "./sftp_call.ts";
import { sftpReadStream } from "./sftp_read.ts";
import { sftpWriteStream } from "./sftp_write.ts";

/** The little a copy needs to know about a path. */
export interface FileInfo {
  isDirectory: boolean;
  isFile: boolean;
  /** Permission bits. */
  mode: number;
}

/** One side of a copy: the host's file system or a guest's over SFTP. */
export interface CopyFileSystem {
  /** How a path on this side is written in messages (`NAME:PATH` for guests). */
  label(path: string): string;
  join(dir: string, name: string): string;
  basename(path: string): string;
  /** Follows symlinks; undefined when nothing is there. */
  stat(path: string): Promise<FileInfo | undefined>;
  readDir(path: string): Promise<string[]>;
  mkdir(path: string, mode: number): Promise<void>;
  read(path: string): Readable;
  /** Creates or truncates PATH; MODE applies to a new file. */
  write(path: string, mode: number): Writable;
}

/** The host's file system. */
export const localFileSystem: CopyFileSystem = {
  label: (path) => path,
  join: localJoin,
  basename: localBasename,
  async stat(path) {
    const st = await ifFound(Deno.stat(path));
    return st && {
      isDirectory: st.isDirectory,
      isFile: st.isFile,
      mode: (st.mode ?? 0o644) & 0o7777,
    };
  },
  async readDir(path) {
    return (await Array.fromAsync(Deno.readDir(path), (e) => e.name)).sort();
  },
  async mkdir(path, mode) {
    await Deno.mkdir(path, { mode });
  },
  read: (path) => createReadStream(path),
  write: (path, mode) => createWriteStream(path, { mode }),
};

/** SFTP status code 2: no such file. */
const NO_SUCH_FILE = 2;

/**
 * A guest's file system through SFTP session SFTP of instance NAME. Relative paths are
 * relative to the login user's home, and `~` / `~/…` are read the same way.
 */
export function sftpFileSystem(
  name: string,
  sftp: SFTPWrapper,
): CopyFileSystem {
  const resolve = (path: string) =>
    path === "~" || path === ""
      ? "."
      : path.startsWith("~/")
      ? path.slice(2) || "."
      : path;
  return {
    label: (path) => `${name}:${path}`,
    join: posix.join,
    basename: (path) => posix.basename(path),
    async stat(path) {
      try {
        const st = await sftpCall<Stats>((cb) => sftp.stat(resolve(path), cb));
        return {
          isDirectory: st.isDirectory(),
          isFile: st.isFile(),
          mode: st.mode & 0o7777,
        };
      } catch (err) {
        if ((err as { code?: number }).code === NO_SUCH_FILE) return undefined;
        throw err;
      }
    },
    async readDir(path) {
      const entries = await sftpCall<{ filename: string }[]>((cb) =>
        sftp.readdir(resolve(path), cb)
      );
      return entries.map((e) => e.filename).filter((n) =>
        n !== "." && n !== ".."
      ).sort();
    },
    async mkdir(path, mode) {
      await sftpCall<void>((cb) =>
        sftp.mkdir(resolve(path), { mode }, (err) => cb(err, undefined))
      );
    },
    read: (path) => sftpReadStream(sftp, resolve(path)),
    write: (path, mode) => sftpWriteStream(sftp, resolve(path), mode),
  };
}

/** A path on one side of a copy. */
export interface CopyLocation {
  fs: CopyFileSystem;
  path: string;
}

export interface CopyOptions {
  /** Copy directories and their contents. */
  recursive?: boolean;
  /** Called after each file is copied. */
  onFile?: (from: string, to: string) => void;
}

function failure(summary: string, err?: unknown): LimaError {
  return new LimaError({
    summary,
    detail: err === undefined
      ? undefined
      : String((err as Error)?.message ?? err),
  }, { cause: err });
}

async function copyTree(
  from: CopyLocation,
  to: CopyLocation,
  info: FileInfo,
  options: CopyOptions,
): Promise<void> {
  const fromLabel = from.fs.label(from.path);
  const toLabel = to.fs.label(to.path);
  if (info.isDirectory) {
    if (!options.recursive) {
      throw failure(`${fromLabel} is a directory (use -r to copy directories)`);
    }
    const existing = await to.fs.stat(to.path);
    if (existing && !existing.isDirectory) {
      throw failure(`cannot copy directory ${fromLabel} over file ${toLabel}`);
    }
    if (!existing) {
      // Made writable for ourselves first so that the contents can be written into it.
      await to.fs.mkdir(to.path, info.mode | 0o700).catch((err) => {
        throw failure(`failed to create directory ${toLabel}`, err);
      });
    }
    for (const name of await from.fs.readDir(from.path)) {
      const child = { fs: from.fs, path: from.fs.join(from.path, name) };
      const childInfo = await from.fs.stat(child.path);
      // A dangling symlink has nothing to copy.
      if (!childInfo) continue;
      await copyTree(
        child,
        { fs: to.fs, path: to.fs.join(to.path, name) },
        childInfo,
        options,
      );
    }
    return;
  }
  if (!info.isFile) throw failure(`${fromLabel} is not a regular file`);
  try {
    await pipeline(
      from.fs.read(from.path),
      to.fs.write(to.path, info.mode & 0o777),
    );
  } catch (err) {
    throw failure(`failed to copy ${fromLabel} to ${toLabel}`, err);
  }
  options.onFile?.(fromLabel, toLabel);
}

/**
 * Copies SOURCES to TARGET. With several sources TARGET must be an existing directory;
 * a source lands inside TARGET when it is a directory, else at TARGET itself.
 */
export async function copyFiles(
  sources: CopyLocation[],
  target: CopyLocation,
  options: CopyOptions = {},
): Promise<void> {
  const targetLabel = target.fs.label(target.path);
  const targetInfo = await target.fs.stat(target.path);
  if (sources.length > 1 && !targetInfo?.isDirectory) {
    throw failure(
      `target ${targetLabel} is not a directory`,
      targetInfo ? undefined : "no such directory",
    );
  }
  for (const source of sources) {
    const label = source.fs.label(source.path);
    const info = await source.fs.stat(source.path).catch((err) => {
      throw failure(`cannot access ${label}`, err);
    });
    if (!info) {
      throw failure(`cannot access ${label}`, "no such file or directory");
    }
    const into = targetInfo?.isDirectory
      ? {
        fs: target.fs,
        path: target.fs.join(target.path, source.fs.basename(source.path)),
      }
      : target;
    await copyTree(source, into, info, options);
  }
}
