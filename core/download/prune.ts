/** `limactl prune`: empties the download cache, or keeps the entries still referred to. */
import { join } from "node:path";
import { readRegularText } from "../config/read_file.ts";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { limaHome, userTemplatesDir } from "../store/paths.ts";
import {
  cacheDir as defaultCacheDir,
  CacheFiles,
  cacheKey,
  downloadCacheRoot,
} from "./cache_dir.ts";
import { isRemote } from "./download.ts";
import { withDirLock } from "./lock.ts";
import { ifFound } from "../if_found.ts";
import { parseBounded } from "../yaml_aliases.ts";

export interface PruneOptions {
  /** Keep cache entries of locations that instances or templates refer to. */
  keepReferred: boolean;
  /** The locations to keep with `keepReferred` (default: `referredLocations()`). */
  referredLocations?: () => Promise<Iterable<string>>;
  /** The cache root (default: `cacheDir()`). */
  cacheDir?: string;
}

/**
 * Without `keepReferred`, removes the whole cache directory. With it, removes every download
 * cache entry whose URL is not referred to, and the partial downloads of the entries kept.
 * Each entry is locked first, so a download in progress finishes before its entry goes.
 */
export async function prune(options: PruneOptions): Promise<void> {
  const cache = options.cacheDir ?? defaultCacheDir();
  if (!options.keepReferred) {
    logger.debug(`Pruning ${quote(cache)}`);
    await ifFound(Deno.remove(cache, { recursive: true }));
    return;
  }
  const keep = new Set<string>();
  for (
    const location of await (options.referredLocations ?? referredLocations)()
  ) {
    if (isRemote(location)) keep.add(cacheKey(location));
  }
  const root = downloadCacheRoot(cache);
  const entries = await ifFound(Array.fromAsync(Deno.readDir(root)));
  if (!entries) return;
  for (const e of entries) {
    if (!e.isDirectory) continue;
    const dir = join(root, e.name);
    await withDirLock(dir, async () => {
      if (!keep.has(e.name)) {
        logger.debug(`Deleting ${quote(dir)}`);
        await Deno.remove(dir, { recursive: true });
        return;
      }
      logger.debug(`Keeping ${quote(dir)}`);
      for await (const f of Deno.readDir(dir)) {
        if (
          f.name.startsWith(CacheFiles.partial) ||
          f.name.startsWith("data.tmp.")
        ) {
          await ifFound(Deno.remove(join(dir, f.name), { recursive: true }));
        }
      }
    });
  }
}

/**
 * The locations instances and user templates refer to: every instance's `lima.yaml` under
 * `LIMA_HOME` (an unreadable one stops the prune, since its images cannot be known) and every
 * YAML file in `LIMA_HOME/_templates`.
 */
export async function referredLocations(): Promise<string[]> {
  const home = limaHome();
  const found: string[] = [];
  const entries = (await ifFound(Array.fromAsync(Deno.readDir(home)))) ?? [];
  for (const e of entries) {
    if (!e.isDirectory || e.name.startsWith(".") || e.name.startsWith("_")) {
      continue;
    }
    try {
      found.push(
        ...locationsInConfig(
          await readYAML(join(home, e.name, "lima.yaml")),
        ),
      );
    } catch (err) {
      throw new LimaError({
        summary: `cannot safely prune while instance ${
          quote(e.name)
        } is being used`,
        detail: errorMessage(err),
      }, { cause: err });
    }
  }
  for (const file of await yamlFilesUnder(userTemplatesDir())) {
    try {
      found.push(...locationsInConfig(await readYAML(file)));
    } catch (err) {
      logger.warn(`Ignoring template ${quote(file)} while pruning`, {
        error: errorMessage(err),
      });
    }
  }
  return found;
}

/** PATH as plain data, read and parsed within the limits every lima.yaml reader keeps. */
async function readYAML(path: string): Promise<unknown> {
  const doc = parseBounded(await readRegularText(path));
  if (doc.errors.length > 0) throw doc.errors[0];
  return doc.toJS();
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return out;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await yamlFilesUnder(path));
    else if (/\.ya?ml$/.test(e.name)) out.push(path);
  }
  return out;
}

/**
 * The downloadable locations of one configuration: images with their kernels and initrds,
 * containerd archives, and firmware images.
 */
export function locationsInConfig(config: unknown): string[] {
  const out: string[] = [];
  const list = (v: unknown): Record<string, unknown>[] =>
    Array.isArray(v) ? v.filter((x) => x && typeof x === "object") : [];
  const obj = (v: unknown): Record<string, unknown> =>
    v && typeof v === "object" && !Array.isArray(v)
      ? v as Record<string, unknown>
      : {};
  const add = (file: unknown) => {
    const location = obj(file).location;
    if (typeof location === "string" && location) out.push(location);
  };
  const root = obj(config);
  for (const image of list(root.images)) {
    add(image);
    add(image.kernel);
    add(image.initrd);
  }
  for (const archive of list(obj(root.containerd).archives)) add(archive);
  for (const image of list(obj(root.firmware).images)) add(image);
  return out;
}
