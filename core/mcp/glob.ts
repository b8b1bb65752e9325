/**
 * Globbing in the guest over SFTP as pkg/sftp's `Client.Glob` does it for Lima's `glob` tool:
 * one directory level per pattern element, names in the server's order, file system errors
 * ignored; only a malformed pattern fails.
 */
// @ts-types="@types/ssh2"
import type { SFTPWrapper } from "ssh2";
import { posix } from "node:path";
import { LimaError } from "../errors.ts";
import { lstat, readDir, stat } from "./guest_files.ts";
import { hasMeta, pathMatch } from "./match.ts";

/** Go's `path.Split`: everything up to the last `/`, and the rest. */
function split(path: string): [string, string] {
  const at = path.lastIndexOf("/") + 1;
  return [path.slice(0, at), path.slice(at)];
}

/** The directory part of a split pattern without its trailing `/` (`.` when empty). */
function cleanDir(dir: string): string {
  if (dir === "") return ".";
  if (dir === "/") return dir;
  return dir.slice(0, -1);
}

/** The names in DIR matching PATTERN, joined to DIR; none when DIR cannot be read. */
async function globDir(
  sftp: SFTPWrapper,
  dir: string,
  pattern: string,
): Promise<string[]> {
  const info = await stat(sftp, dir).catch(() => undefined);
  if (!info?.isDirectory()) return [];
  const entries = await readDir(sftp, dir).catch(() => []);
  return entries.filter((e) => pathMatch(pattern, e.filename))
    .map((e) => posix.join(dir, e.filename));
}

/** The guest paths matching PATTERN. */
export async function glob(
  sftp: SFTPWrapper,
  pattern: string,
): Promise<string[]> {
  const [rawDir, file] = split(pattern);
  const dir = cleanDir(rawDir);
  if (!hasMeta(pattern)) {
    const found = await lstat(sftp, pattern).catch(() => undefined);
    return found ? [posix.join(dir, posix.basename(pattern))] : [];
  }
  if (!hasMeta(dir)) return await globDir(sftp, dir, file);
  if (dir === pattern) {
    throw new LimaError({ summary: "syntax error in pattern" });
  }
  const matches: string[] = [];
  for (const d of await glob(sftp, dir)) {
    matches.push(...await globDir(sftp, d, file));
  }
  return matches;
}
