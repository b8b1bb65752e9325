/** The part of `limactl prune` beyond the download cache: what killed commands left behind. */
import { join } from "node:path";
import { cacheDir, downloadCacheRoot } from "../download/cache_dir.ts";
import { configDir, disksDir, limaHome } from "../store/paths.ts";
import { removeStaleTemporaries } from "../store/temporary.ts";
import { ifFound } from "../if_found.ts";

/** The sub-directories of DIR (symlinks to directories included); none when DIR is missing. */
async function subdirectories(
  dir: string,
  include: (name: string) => boolean = () => true,
): Promise<string[]> {
  const found: string[] = [];
  for (const e of (await ifFound(Array.fromAsync(Deno.readDir(dir)))) ?? []) {
    const path = join(dir, e.name);
    if (!include(e.name)) continue;
    if ((await Deno.stat(path).catch(() => undefined))?.isDirectory) {
      found.push(path);
    }
  }
  return found;
}

/**
 * Removes the temporaries of processes that no longer run from `LIMA_HOME`, every instance
 * directory, the config and disks directories and every entry of the download cache under
 * CACHE.
 */
export async function pruneTemporaries(
  cache: string = cacheDir(),
): Promise<void> {
  const home = limaHome();
  const dirs = [
    home,
    ...await subdirectories(home, (name) => !/^[._]/.test(name)),
    configDir(),
    disksDir(),
    ...await subdirectories(downloadCacheRoot(cache)),
  ];
  for (const dir of dirs) await removeStaleTemporaries(dir);
}
