/**
 * Downloads images, kernels, initrds, firmware and archives through Lima's download cache
 * (Lima's `pkg/downloader/downloader.go`): remote URLs are fetched once into
 * `<cache>/download/by-url-sha256/<key>/`, verified against their digest while streaming,
 * and written to their destination in the same pass (or cloned or decompressed from the cache
 * afterwards); local paths and `file://` URLs are read directly.
 */
import { basename, dirname, join, resolve } from "node:path";
import { homedir } from "node:os";
import { fileURLToPath } from "node:url";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import {
  cacheDir as defaultCacheDir,
  cacheEntryDir,
  CacheFiles,
} from "./cache_dir.ts";
import {
  type Digest,
  digestMismatch,
  fileDigest,
  formatDigest,
  Hasher,
  parseDigest,
} from "./digest.ts";
import {
  type Compression,
  compressionFromMagic,
  compressionFromName,
  decompressor,
  detectCompression,
} from "../decompress.ts";
import { clonesFiles } from "./clone.ts";
import { fetchFailure, unreachableError } from "./fetch_failure.ts";
import {
  type Progress,
  ProgressReporter,
  type ProgressStyle,
} from "./progress.ts";
import { withDirLock } from "./lock.ts";
import { exists } from "../exists.ts";
import { removeStaleTemporaries, temporaryPath } from "../store/temporary.ts";
import { ifFound } from "../if_found.ts";

export interface DownloadOptions {
  /** Expected digest of the bytes at LOCATION (`sha256:…`, `sha384:…`, `sha512:…`). */
  digest?: string;
  /** The cache root (default: `cacheDir()`). */
  cacheDir?: string;
  /** Decompress `.gz`/`.bz2`/`.xz`/`.zst` (by extension, else by magic bytes) into DEST. */
  decompress?: boolean;
  /** What is being fetched, for progress output ("the image"). */
  description?: string;
  /** How progress is shown (default `auto`). */
  progress?: ProgressStyle;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  status: "downloaded" | "used-cache" | "skipped";
  /** The cached data of a remote LOCATION; for a local LOCATION without DEST, the file itself. */
  cachePath?: string;
  /** Whether the bytes were checked against `digest` (at download time or now). */
  validatedDigest?: boolean;
}

/**
 * Downloads LOCATION to DEST, atomically (a temporary file beside DEST, renamed at the end).
 * An existing DEST is left alone (`skipped`). With an empty DEST a remote LOCATION is only
 * brought into the cache. A fresh download is written to the cache and to DEST in one pass;
 * neither becomes visible before the digest is verified. Concurrent calls for one URL, in
 * this process or others, take turns on the cache entry, so the bytes are transferred once.
 */
export async function download(
  dest: string,
  location: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const expected = options.digest ? parseDigest(options.digest) : undefined;
  if (dest && await exists(dest)) {
    logger.debug(
      `file "${dest}" already exists, skipping download of "${location}"`,
    );
    return { status: "skipped" };
  }
  if (!isRemote(location)) {
    return await fromLocal(dest, location, expected, options);
  }

  const url = location;
  if (!/^https?:\/\//i.test(url)) {
    throw new LimaError({
      summary: `cannot download "${url}": unsupported URL scheme`,
      hint: "use https://, http://, file:// or a local path",
    });
  }
  const entry = cacheEntryDir(url, options.cacheDir ?? defaultCacheDir());
  await Deno.mkdir(entry, { recursive: true });
  return await withDirLock(entry, async () => {
    await removeStaleTemporaries(entry);
    const data = join(entry, CacheFiles.data);
    const result = (status: DownloadResult["status"]): DownloadResult => ({
      status,
      cachePath: data,
      validatedDigest: expected !== undefined,
    });
    const delivery: DeliverOptions = {
      ...options,
      location: url,
      name: new URL(url).pathname,
    };
    if (await usableCache(entry, url, expected, options)) {
      logger.debug(`using cached "${url}" at "${data}"`);
      if (dest) await deliver(data, dest, delivery);
      return result("used-cache");
    }
    if (!dest) {
      await fetchIntoCache(entry, url, expected, options);
      return result("downloaded");
    }
    if (
      (options.decompress && compressionFromName(delivery.name)) ||
      await clonesFiles(entry, dirname(resolve(dest)))
    ) {
      // Decompressing reads the cached copy; a clone of it costs no time and no space.
      await fetchIntoCache(entry, url, expected, options);
      await deliver(data, dest, delivery);
      return result("downloaded");
    }
    // Otherwise the bytes go to the destination in the same pass as into the cache: a copy
    // afterwards would write the whole file a second time while the network sits idle.
    const copied = await writeAtomically(
      dest,
      (tmp) =>
        fetchIntoCache(entry, url, expected, options, {
          path: tmp,
          unlessCompressed: options.decompress ?? false,
        }),
      options.signal,
    );
    if (!copied) await deliver(data, dest, delivery);
    return result("downloaded");
  });
}

/** Whether LOCATION is fetched over the network (and so goes through the cache). */
export function isRemote(location: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location) &&
    !/^file:\/\//i.test(location);
}

/** The local file a non-remote LOCATION names: `file://` URL, `~/…`, or a path from the cwd. */
export function localPath(location: string): string {
  if (/^file:\/\//i.test(location)) return fileURLToPath(location);
  if (location === "~" || location.startsWith("~/")) {
    return join(homedir(), location.slice(1));
  }
  return resolve(location);
}

async function fromLocal(
  dest: string,
  location: string,
  expected: Digest | undefined,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const path = localPath(location);
  try {
    await Deno.stat(path);
  } catch (err) {
    throw new LimaError({
      summary: `cannot read "${location}"`,
      detail: errorMessage(err),
    }, {
      cause: err,
    });
  }
  if (!dest) {
    if (expected) await verifyFile(path, expected, location);
    return {
      status: "skipped",
      cachePath: path,
      validatedDigest: expected !== undefined,
    };
  }
  await deliver(path, dest, { ...options, location, name: path, expected });
  return { status: "downloaded", validatedDigest: expected !== undefined };
}

async function verifyFile(
  path: string,
  expected: Digest,
  what: string,
): Promise<void> {
  const actual = await fileDigest(path, expected.algorithm);
  if (actual.hex !== expected.hex) {
    throw digestMismatch(`"${what}"`, expected, actual);
  }
}

/**
 * Whether the cache entry can be used as it is. With a digest record for the expected
 * algorithm, the record decides (no re-hash); otherwise the remote's `Last-Modified`/`ETag`
 * must still match what was cached, and an expected digest is checked by hashing the data.
 */
async function usableCache(
  entry: string,
  url: string,
  expected: Digest | undefined,
  options: DownloadOptions,
): Promise<boolean> {
  const data = join(entry, CacheFiles.data);
  if (!await exists(data)) return false;
  if (expected) {
    const recorded = await readText(
      join(entry, CacheFiles.digest(expected.algorithm)),
    );
    if (recorded !== undefined) {
      if (recorded.trim() === formatDigest(expected)) return true;
      await discardData(entry);
      throw new LimaError({
        summary:
          `the cached data of "${url}" does not match the expected digest`,
        detail: `expected digest "${
          formatDigest(expected)
        }", got "${recorded.trim()}"`,
        hint:
          "the cached copy was removed; if the expected digest is right, run the command again",
      });
    }
  }
  const changed = await remoteChanged(entry, url, options.signal);
  if (changed) {
    logger.info(
      `Re-downloading digest-less image: ${changed.what} mismatch ` +
        `(cached: ${JSON.stringify(changed.cached)}, remote: ${
          JSON.stringify(changed.remote)
        })`,
    );
    return false;
  }
  if (expected) {
    const actual = await fileDigest(data, expected.algorithm);
    if (actual.hex !== expected.hex) {
      await discardData(entry);
      throw digestMismatch(`the cached data of "${url}"`, expected, actual);
    }
    await Deno.writeTextFile(
      join(entry, CacheFiles.digest(expected.algorithm)),
      formatDigest(expected),
    );
  }
  return true;
}

interface Change {
  what: string;
  cached: string;
  remote: string;
}

/** Asks the server (HEAD) whether URL changed since it was cached; undefined when it did not. */
async function remoteChanged(
  entry: string,
  url: string,
  signal?: AbortSignal,
): Promise<Change | undefined> {
  const cachedTime = await readText(join(entry, CacheFiles.time));
  const cachedEtag = await readText(join(entry, CacheFiles.etag));
  if (!cachedTime && !cachedEtag) {
    return {
      what: "last-modified",
      cached: "<not cached>",
      remote: "<not checked>",
    };
  }
  let res: Response;
  try {
    res = await fetch(url, { method: "HEAD", signal });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    logger.info(
      "Failed to retrieve last-modified for cached digest-less image; using cached image.",
      { error: fetchFailure(url, err) },
    );
    return undefined;
  }
  const remoteTime = res.headers.get("last-modified") ?? "";
  const remoteEtag = res.headers.get("etag") ?? "";
  let compared = false;
  if (cachedTime && remoteTime) {
    compared = true;
    if (!sameHttpDate(cachedTime, remoteTime)) {
      return { what: "last-modified", cached: cachedTime, remote: remoteTime };
    }
  }
  if (cachedEtag && remoteEtag) {
    compared = true;
    if (cachedEtag !== remoteEtag) {
      return { what: "ETag", cached: cachedEtag, remote: remoteEtag };
    }
  }
  if (!compared) {
    return cachedTime
      ? {
        what: "last-modified",
        cached: cachedTime,
        remote: "<missing Last-Modified header>",
      }
      : {
        what: "ETag",
        cached: cachedEtag ?? "",
        remote: "<missing ETag header>",
      };
  }
  return undefined;
}

function sameHttpDate(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isNaN(ta) || Number.isNaN(tb) ? a === b : ta === tb;
}

/** A file to fill with the same bytes as the cache entry, in the same pass. */
interface Copy {
  /** A new file, written from the start (or from a copy of a resumed prefix). */
  path: string;
  /** Give the copy up when the bytes turn out to be compressed (the destination decompresses). */
  unlessCompressed: boolean;
}

/**
 * Fetches URL into the cache entry: into `data.part` (resumed with `Range`/`If-Range` when an
 * earlier attempt left one and the server allows it), hashed while streaming, verified, and
 * renamed to `data` only when complete. With COPY, the same bytes also go to COPY.path;
 * returns whether that copy was made (it is complete and verified when this resolves true).
 */
async function fetchIntoCache(
  entry: string,
  url: string,
  expected: Digest | undefined,
  options: DownloadOptions,
  copy?: Copy,
): Promise<boolean> {
  try {
    return await fetchOnce(entry, url, expected, options, copy, true);
  } catch (err) {
    if (!(err instanceof ResumedMismatch)) throw err;
    // A server that answers a Range for a changed file despite If-Range joins two files;
    // the digest caught it, and the whole file is fetched once more.
    logger.warn(
      `The resumed download of "${url}" does not match the expected digest; downloading it again from the start`,
    );
    if (copy) await removeIfExists(copy.path);
    return await fetchOnce(entry, url, expected, options, copy, false);
  }
}

/** A resumed download whose whole file does not match the digest. */
class ResumedMismatch extends Error {}

/** One attempt of `fetchIntoCache`; RESUME allows continuing a partial file. */
async function fetchOnce(
  entry: string,
  url: string,
  expected: Digest | undefined,
  options: DownloadOptions,
  copy: Copy | undefined,
  resume: boolean,
): Promise<boolean> {
  const part = join(entry, CacheFiles.partial);
  const validatorFile = join(entry, CacheFiles.partialValidator);
  // The old data is stale from here on; dropping it first means that metadata written below
  // can never be paired with it if this process dies before the rename.
  await discardData(entry);

  let offset = 0;
  const savedValidator = resume ? await readText(validatorFile) : undefined;
  const partSize = await sizeOf(part);
  if (savedValidator && partSize > 0) {
    offset = partSize;
  } else {
    await removeIfExists(part);
  }
  let res = await request(url, offset, savedValidator, options.signal);
  const receivedAt = Date.now();
  if (
    offset > 0 &&
    (resumedFrom(res) !== offset || !sameRepresentation(res, savedValidator!))
  ) {
    // The server ignored the range or answered another one, or the file may have changed
    // (If-Range, or a 206 that does not name the saved validator): start over.
    if (res.status !== 200) {
      await res.body?.cancel();
      res = await request(url, 0, undefined, options.signal);
    }
    offset = 0;
  } else if (offset > 0) {
    logger.info(`Resuming the download of "${url}" at ${offset} bytes`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new LimaError({
      summary: `failed to download "${url}"`,
      detail: `HTTP status ${res.status}${
        res.statusText ? ` ${res.statusText}` : ""
      }`,
    });
  }

  // Resuming needs a validator to send back in If-Range; without one a partial file is useless.
  const etag = res.headers.get("etag") ?? undefined;
  const lastModified = res.headers.get("last-modified") ?? undefined;
  const validator = offset > 0
    ? savedValidator
    : resumeValidator(res.headers, receivedAt);
  if (validator) await Deno.writeTextFile(validatorFile, validator);
  else await removeIfExists(validatorFile);

  let copyFile: Deno.FsFile | undefined;
  try {
    copyFile = copy && await openCopy(copy, part, offset);
  } catch (err) {
    // Not a download failure: the caller names the destination.
    await res.body.cancel();
    throw err;
  }

  const hasher = expected ? new Hasher(expected.algorithm) : undefined;
  if (hasher && offset > 0) {
    const existing = await Deno.open(part);
    for await (const chunk of existing.readable) hasher.update(chunk);
  }
  const length = contentLength(res);
  const progress = new ProgressReporter({
    phase: "download",
    location: url,
    description: options.description,
    total: length !== undefined ? offset + length : undefined,
    initialBytes: offset,
    style: options.progress,
    onProgress: options.onProgress,
  });
  let received = 0;
  let copied = false;
  try {
    let file: Deno.FsFile | undefined;
    try {
      file = await Deno.open(
        part,
        offset > 0
          ? { append: true }
          : { write: true, create: true, truncate: true },
      );
      copied = await copyBody(res.body, file, copyFile, {
        keepCopy: copy?.unlessCompressed && offset === 0
          ? (head) => !compressionFromMagic(head)
          : undefined,
        see: (chunk) => {
          hasher?.update(chunk);
          received += chunk.length;
          progress.add(chunk.length);
        },
      });
    } finally {
      file?.close();
      copyFile?.close();
    }
    if (length !== undefined && received !== length) {
      throw new Error(
        `the connection closed after ${received} of ${length} bytes`,
      );
    }
  } catch (err) {
    progress.abort();
    if (!validator) await removeIfExists(part);
    if (options.signal?.aborted) throw options.signal.reason;
    const cut = length !== undefined && received < length
      ? `the connection closed after ${offset + received} of ${
        offset + length
      } bytes: `
      : "";
    throw new LimaError({
      summary: `failed to download "${url}"`,
      detail: cut + errorMessage(err),
      hint: validator
        ? "run the command again to resume the download"
        : undefined,
    }, { cause: err });
  }
  progress.finish();

  if (hasher && expected) {
    const actual = hasher.digest();
    if (actual.hex !== expected.hex) {
      await removeIfExists(part);
      await removeIfExists(validatorFile);
      const mismatch = digestMismatch(
        `the data downloaded from "${url}"`,
        expected,
        actual,
      );
      throw offset > 0 ? new ResumedMismatch(mismatch.message) : mismatch;
    }
  }
  await writeOrRemove(join(entry, CacheFiles.url), url);
  await writeOrRemove(join(entry, CacheFiles.time), lastModified);
  await writeOrRemove(
    join(entry, CacheFiles.type),
    res.headers.get("content-type") ?? undefined,
  );
  await writeOrRemove(join(entry, CacheFiles.etag), etag);
  if (expected) {
    await Deno.writeTextFile(
      join(entry, CacheFiles.digest(expected.algorithm)),
      formatDigest(expected),
    );
  }
  // A first piece too short to show the magic bytes may have let the copy through.
  if (copied && copy?.unlessCompressed && await isCompressed(part)) {
    copied = false;
  }
  await Deno.rename(part, join(entry, CacheFiles.data));
  await removeIfExists(validatorFile);
  return copied;
}

/** Opens the copy for writing after the OFFSET bytes already in PART; undefined to skip it. */
async function openCopy(
  copy: Copy,
  part: string,
  offset: number,
): Promise<Deno.FsFile | undefined> {
  if (offset === 0) {
    return await Deno.open(copy.path, { write: true, createNew: true });
  }
  if (copy.unlessCompressed && await isCompressed(part)) return undefined;
  await Deno.copyFile(part, copy.path);
  return await Deno.open(copy.path, { write: true, append: true });
}

async function isCompressed(path: string): Promise<boolean> {
  return await detectCompression("", path) !== undefined;
}

interface CopyBodyHooks {
  /** Decides from the first bytes whether COPY is written at all. */
  keepCopy?: (head: Uint8Array) => boolean;
  /** Sees each piece while it is being written. */
  see: (chunk: Uint8Array) => void;
}

/**
 * Writes BODY to FILE, and to COPY when given, through one reused buffer; returns whether
 * COPY was written. Each piece is written to both files at once (file writes run on other
 * threads) and shown to SEE meanwhile, so the second file costs little more than the first.
 * A plain loop over a BYOB reader costs half the time of a TransformStream between `body`
 * and `file.writable`; gathering pieces into larger writes, or reading the next piece while
 * the last one is written, measured no faster.
 */
async function copyBody(
  body: ReadableStream<Uint8Array>,
  file: Deno.FsFile,
  copy: Deno.FsFile | undefined,
  hooks: CopyBodyHooks,
): Promise<boolean> {
  const reader = body.getReader({ mode: "byob" });
  let buffer = new ArrayBuffer(1024 * 1024);
  let copying = copy !== undefined;
  let first = true;
  try {
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      if (done || !value) return copying;
      if (first && copying && hooks.keepCopy) copying = hooks.keepCopy(value);
      first = false;
      const writes = [writeAll(file, value)];
      if (copying && copy) writes.push(writeAll(copy, value));
      // Neither write changes the buffer.
      hooks.see(value);
      const failed = (await Promise.allSettled(writes)).find((w) =>
        w.status === "rejected"
      );
      if (failed) throw (failed as PromiseRejectedResult).reason;
      buffer = value.buffer as ArrayBuffer;
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.length;) {
    off += await file.write(data.subarray(off));
  }
}

async function request(
  url: string,
  offset: number,
  validator: string | undefined,
  signal?: AbortSignal,
): Promise<Response> {
  const headers = new Headers();
  if (offset > 0) {
    headers.set("Range", `bytes=${offset}-`);
    if (validator) headers.set("If-Range", validator);
  }
  try {
    return await fetch(url, { headers, signal });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw unreachableError(url, err);
  }
}

/**
 * The validator of a full answer (HEADERS received at RECEIVEDAT) to resume its body with
 * `If-Range`, or undefined when it has none that RFC 9110 (13.1.5) allows there: not a weak
 * ETag, and Last-Modified only without an ETag and when it is strong (8.8.2.2), that is at
 * least a second older than the answer's Date (our clock when the server sends none). A file
 * replaced within the second it was written keeps its Last-Modified, so a resume against a
 * younger date could join two files.
 */
function resumeValidator(
  headers: Headers,
  receivedAt: number,
): string | undefined {
  const etag = headers.get("etag");
  if (etag) return etag.startsWith("W/") ? undefined : etag;
  const lastModified = headers.get("last-modified");
  if (!lastModified) return undefined;
  const modified = Date.parse(lastModified);
  const date = headers.has("date")
    ? Date.parse(headers.get("date")!)
    : receivedAt;
  return date - modified >= 1000 ? lastModified : undefined;
}

/**
 * Whether a 206 answer is for the representation VALIDATOR names. A server that ignores
 * If-Range sends the rest of whatever it has now, so only a 206 naming the same ETag (or,
 * when resuming on Last-Modified, the same Last-Modified) continues the partial file; one
 * naming none is not trusted either, as its bytes may belong to another file.
 */
function sameRepresentation(res: Response, validator: string): boolean {
  if (validator.startsWith('"')) return res.headers.get("etag") === validator;
  const current = res.headers.get("last-modified");
  return current !== null && sameHttpDate(current, validator);
}

/** The start offset of a 206 answer, or 0 for anything else. */
function resumedFrom(res: Response): number {
  if (res.status !== 206) return 0;
  const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(
    res.headers.get("content-range") ?? "",
  );
  return m ? Number(m[1]) : -1;
}

function contentLength(res: Response): number | undefined {
  const value = res.headers.get("content-length");
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Removes `data` and every digest record of a cache entry. */
async function discardData(entry: string): Promise<void> {
  await removeIfExists(join(entry, CacheFiles.data));
  for await (const e of Deno.readDir(entry)) {
    if (e.isFile && e.name.endsWith(".digest")) {
      await removeIfExists(join(entry, e.name));
    }
  }
}

interface DeliverOptions extends DownloadOptions {
  location: string;
  /** File name or URL path, for the compression extension. */
  name: string;
  /** Verify the source bytes while reading them (local files; cached data was verified before). */
  expected?: Digest;
}

/** Copies or decompresses SRC into DEST through a temporary file beside DEST. */
async function deliver(
  src: string,
  dest: string,
  o: DeliverOptions,
): Promise<void> {
  const kind = o.decompress ? await detectCompression(o.name, src) : undefined;
  await writeAtomically(dest, async (tmp) => {
    if (!kind && !o.expected) {
      // copy_file_range on Linux, clonefile on macOS: a clone where the file system can.
      await Deno.copyFile(src, tmp);
    } else {
      await streamInto(src, tmp, kind, o);
    }
    return true;
  }, o.signal);
}

/**
 * Runs WRITE on a temporary path beside DEST and renames it to DEST when WRITE resolves true.
 * Whatever WRITE leaves at the temporary path is removed when it fails or resolves false.
 */
async function writeAtomically(
  dest: string,
  write: (tmp: string) => Promise<boolean>,
  signal?: AbortSignal,
): Promise<boolean> {
  const tmp = temporaryPath(dirname(dest), basename(dest));
  try {
    const written = await write(tmp);
    if (written) await Deno.rename(tmp, dest);
    else await removeIfExists(tmp);
    return written;
  } catch (err) {
    await removeIfExists(tmp);
    if (err instanceof LimaError || signal?.aborted) throw err;
    throw new LimaError({
      summary: `cannot write "${dest}"`,
      detail: errorMessage(err),
    }, { cause: err });
  }
}

async function streamInto(
  src: string,
  tmp: string,
  kind: Compression | undefined,
  o: DeliverOptions,
): Promise<void> {
  const hasher = o.expected ? new Hasher(o.expected.algorithm) : undefined;
  const progress = new ProgressReporter({
    phase: kind ? "decompress" : "copy",
    location: o.location,
    description: o.description,
    total: (await Deno.stat(src)).size,
    style: o.progress,
    onProgress: o.onProgress,
  });
  const input = (await Deno.open(src)).readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        hasher?.update(chunk);
        progress.add(chunk.length);
        controller.enqueue(chunk);
      },
    }),
    { signal: o.signal },
  );
  const output =
    (await Deno.open(tmp, { write: true, createNew: true })).writable;
  try {
    if (kind) {
      const tool = decompressor(kind, `"${o.location}"`);
      const pipes = await Promise.allSettled([
        input.pipeTo(tool.writable),
        tool.readable.pipeTo(output),
      ]);
      const failed = pipes.find((p) => p.status === "rejected");
      if (failed) tool.kill();
      // The tool's own message says more than the broken pipe it leaves behind.
      await tool.done;
      if (failed) throw (failed as PromiseRejectedResult).reason;
    } else {
      await input.pipeTo(output);
    }
  } catch (err) {
    progress.abort();
    if (o.signal?.aborted) throw o.signal.reason;
    throw err;
  }
  progress.finish();
  if (hasher && o.expected) {
    const actual = hasher.digest();
    if (actual.hex !== o.expected.hex) {
      throw digestMismatch(`"${o.location}"`, o.expected, actual);
    }
  }
}

async function sizeOf(path: string): Promise<number> {
  return (await ifFound(Deno.stat(path)))?.size ?? 0;
}

function readText(path: string): Promise<string | undefined> {
  return ifFound(Deno.readTextFile(path));
}

async function writeOrRemove(
  path: string,
  text: string | undefined,
): Promise<void> {
  if (text) await Deno.writeTextFile(path, text);
  else await removeIfExists(path);
}

async function removeIfExists(path: string): Promise<void> {
  await ifFound(Deno.remove(path));
}
