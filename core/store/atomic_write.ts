/** Crash-safe file replacement: a reader sees the old content or the new, never part of one. */
import { basename, dirname } from "node:path";
import { temporaryPath } from "./temporary.ts";
import { writeAllSynced } from "./write_all_synced.ts";

export interface AtomicWriteOptions {
  /** Permission bits of the new file (before umask); default 0o644. */
  mode?: number;
}

/**
 * Writes DATA to PATH through a temporary file in the same directory that is
 * flushed to disk and then renamed over PATH. The temporary name (`temporaryPath`) ends in
 * `.tmp`, which clone skips and a forced stop removes.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const bytes = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data;
  const dir = dirname(path);
  const tmp = temporaryPath(dir, basename(path));
  const file = await Deno.open(tmp, {
    write: true,
    createNew: true,
    mode: options.mode ?? 0o644,
  });
  try {
    await writeAllSynced(file, bytes);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
  await syncDir(dir);
}

/** Flushes a directory entry change (a rename or a new file) to disk, where the platform allows. */
export async function syncDir(dir: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  try {
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is still atomic.
  }
}
