/**
 * Reading template and lima.yaml text from files, pipes, stdin and HTTP: never more than the
 * 4 MiB Lima accepts (Lima's `limayaml` reader has the same limit), and only valid UTF-8.
 */
import { errorMessage, LimaError } from "../errors.ts";
import { readCapped } from "../read_capped.ts";

/** The largest template (or embedded file) Lima reads, and the largest embedding result. */
export const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;

function tooLarge(source: string): LimaError {
  return new LimaError({
    summary:
      `${source} exceeds the size limit of ${MAX_TEMPLATE_BYTES} bytes (4 MiB)`,
  });
}

/** Refuses TEXT, about to be stored as SOURCE, over the size limit: no command could read it back. */
export function checkTextSize(text: string, source: string): void {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8.
  if (
    text.length * 3 > MAX_TEMPLATE_BYTES &&
    new TextEncoder().encode(text).length > MAX_TEMPLATE_BYTES
  ) {
    throw tooLarge(source);
  }
}

/** All of STREAM within the size limit; SOURCE names it in the error. */
export function readStreamCapped(
  stream: ReadableStream<Uint8Array>,
  source: string,
): Promise<Uint8Array> {
  return readCapped(stream, MAX_TEMPLATE_BYTES, () => tooLarge(source));
}

/** The file at PATH (stat'ed as INFO) within the size limit; devices and pipes are read as streams. */
async function readWithin(
  path: string,
  info: Deno.FileInfo,
): Promise<Uint8Array> {
  const source = `file ${JSON.stringify(path)}`;
  if (info.isFile && info.size > MAX_TEMPLATE_BYTES) throw tooLarge(source);
  const file = await Deno.open(path);
  return await readStreamCapped(file.readable, source);
}

async function readLimited(path: string): Promise<Uint8Array> {
  const info = await Deno.stat(path);
  if (info.isDirectory) {
    throw new LimaError({
      summary: `${JSON.stringify(path)} is a directory, not a file`,
    });
  }
  return await readWithin(path, info);
}

/** The UTF-8 text of BYTES; invalid UTF-8 is an error naming SOURCE and the line. */
export function decodeUTF8(bytes: Uint8Array, source: string): string {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    // A newline byte never occurs inside a multi-byte UTF-8 sequence: check line by line.
    let start = 0;
    for (let line = 1;; line++) {
      const end = bytes.indexOf(0x0a, start);
      const stop = end === -1 ? bytes.length : end;
      try {
        decoder.decode(bytes.subarray(start, stop));
      } catch {
        throw new LimaError({
          summary: `${source} is not valid UTF-8`,
          detail: `line ${line}`,
        });
      }
      start = stop + 1;
    }
  }
}

/** Refuses PATH (stat'ed as INFO) unless it is a regular file within the size limit. */
function checkRegular(path: string, info: Deno.FileInfo): void {
  if (!info.isFile) {
    throw new LimaError({
      summary: `${JSON.stringify(path)} is not a regular file`,
    });
  }
  if (info.size > MAX_TEMPLATE_BYTES) {
    throw tooLarge(`file ${JSON.stringify(path)}`);
  }
}

/**
 * The text of a regular file within the size limit (lima.yaml and `_config` files: anything
 * else, such as a FIFO nobody writes to, would block whoever reads it).
 */
export async function readRegularText(path: string): Promise<string> {
  const info = await Deno.stat(path);
  checkRegular(path, info);
  return decodeUTF8(
    await readWithin(path, info),
    `file ${JSON.stringify(path)}`,
  );
}

/**
 * `readRegularText` without a wait on the I/O threads: `limactl list` reads every
 * instance's lima.yaml, and there each wait costs more than the read itself.
 */
export function readRegularTextSync(path: string): string {
  checkRegular(path, Deno.statSync(path));
  return decodeUTF8(Deno.readFileSync(path), `file ${JSON.stringify(path)}`);
}

/**
 * Checkouts made without symlink support store a link as a small file holding the
 * target's relative path (Lima's own template aliases, e.g. `ubuntu.yaml`). A file whose
 * whole content is such a path to an existing sibling YAML file is followed like a link.
 */
const LINK_TEXT = /^[\w.-]+(\/[\w.-]+)*\.ya?ml$/;

async function linkTarget(
  path: string,
  bytes: Uint8Array,
): Promise<string | undefined> {
  if (bytes.length > 255) return undefined;
  const text = new TextDecoder().decode(bytes);
  if (!LINK_TEXT.test(text) || text.split("/").includes("..")) return undefined;
  // `list` reads lima.yaml through here: `node:path` only loads for a link-like file.
  const { dirname, join } = await import("node:path");
  const target = join(dirname(path), text);
  try {
    return (await Deno.stat(target)).isFile ? target : undefined;
  } catch {
    return undefined;
  }
}

/** The bytes of a local file, read through symbolic links and link files, within the size limit. */
export async function readLocalBytes(path: string): Promise<Uint8Array> {
  let current = path;
  for (let hop = 0; hop < 16; hop++) {
    const bytes = await readLimited(current);
    const target = await linkTarget(current, bytes);
    if (target === undefined) return bytes;
    current = target;
  }
  throw new LimaError({
    summary: `too many levels of links reading ${JSON.stringify(path)}`,
  });
}

/** How long fetching a template may take in all: a server that never finishes must not hang a command. */
export const FETCH_TIMEOUT_MS = 60_000;

/** The message of ERR with its causes ("fetch failed" alone does not say why). */
function withCauses(err: unknown): string {
  const parts: string[] = [];
  for (let e = err; e !== undefined && parts.length < 4;) {
    parts.push(errorMessage(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(": ");
}

/**
 * GETs an http(s) URL, refusing answers other than 2xx and bodies over the size limit, and
 * giving up when the whole answer takes longer than TIMEOUT_MS.
 */
export async function fetchBytes(
  url: string,
  timeoutMs = FETCH_TIMEOUT_MS,
): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { signal });
    if (!response.ok) {
      await response.body?.cancel();
      throw new LimaError({
        summary: `failed to fetch ${JSON.stringify(url)}`,
        detail: `HTTP status ${response.status} ${response.statusText}`
          .trimEnd(),
      });
    }
    const source = `the response from ${JSON.stringify(url)}`;
    if (Number(response.headers.get("content-length")) > MAX_TEMPLATE_BYTES) {
      await response.body?.cancel();
      throw tooLarge(source);
    }
    if (!response.body) return new Uint8Array();
    return await readStreamCapped(response.body, source);
  } catch (err) {
    if (err instanceof LimaError) throw err;
    throw new LimaError({
      summary: `failed to fetch ${JSON.stringify(url)}`,
      detail: signal.aborted
        ? `no complete answer within ${timeoutMs / 1000} seconds`
        : withCauses(err),
    }, { cause: err });
  }
}
