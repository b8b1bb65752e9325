/** Reading template text from local files and HTTP, within the 4 MiB template size limit (spec §3.1). */
import { dirname, join } from "node:path";
import { LimaError } from "../errors.ts";

/** The largest template (or embedded file) Lima reads, and the largest embedding result. */
export const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;

function tooLarge(what: string): LimaError {
  return new LimaError({
    summary:
      `${what} exceeds the size limit of ${MAX_TEMPLATE_BYTES} bytes (4 MiB)`,
  });
}

async function readLimited(path: string): Promise<Uint8Array> {
  const info = await Deno.stat(path);
  if (info.isDirectory) {
    throw new LimaError({
      summary: `${JSON.stringify(path)} is a directory, not a file`,
    });
  }
  if (info.size > MAX_TEMPLATE_BYTES) {
    throw tooLarge(`file ${JSON.stringify(path)}`);
  }
  const bytes = await Deno.readFile(path);
  if (bytes.length > MAX_TEMPLATE_BYTES) {
    throw tooLarge(`file ${JSON.stringify(path)}`);
  }
  return bytes;
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

/** GETs an http(s) URL, refusing answers other than 2xx and bodies over the size limit. */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) {
    await response.body?.cancel();
    throw new LimaError({
      summary: `failed to fetch ${JSON.stringify(url)}`,
      detail: `HTTP status ${response.status} ${response.statusText}`.trimEnd(),
    });
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      size += chunk.length;
      // Leaving the loop by throwing cancels the download.
      if (size > MAX_TEMPLATE_BYTES) {
        throw tooLarge(`the response from ${JSON.stringify(url)}`);
      }
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
