/**
 * Streaming decompression of images (`.gz`, `.bz2`, `.xz`, `.zst`, or detected by magic bytes).
 *
 * Every format goes through the system's own tool (`gzip`, `bzip2`, `xz`, `zstd`) over pipes:
 * they are native code, multi-threaded for xz, and a child writing into a pipe hands back
 * output in bounded pieces. The in-process alternatives were worse for disk images:
 * `DecompressionStream` emits whole expanded chunks (a run of zeros in a raw image grows one
 * 64 KiB read into tens of MiB), and the pure-JS/wasm bzip2 and xz decoders on npm are several
 * times slower on multi-GiB images than the tools every distribution packages.
 */
import { LimaError } from "./errors.ts";

export type Compression = "gzip" | "bzip2" | "xz" | "zstd";

const TOOLS: Record<
  Compression,
  { command: string; args: string[]; packages: string }
> = {
  gzip: { command: "gzip", args: ["-dc"], packages: "gzip" },
  bzip2: { command: "bzip2", args: ["-dc"], packages: "bzip2" },
  xz: {
    command: "xz",
    args: ["-dc", "-T0"],
    packages: "xz-utils (Debian/Ubuntu) or xz (Homebrew)",
  },
  zstd: { command: "zstd", args: ["-dcq"], packages: "zstd" },
};

const EXTENSIONS: Record<string, Compression> = {
  ".gz": "gzip",
  ".bz2": "bzip2",
  ".xz": "xz",
  ".zst": "zstd",
};

/** The compression a file name (or URL path) announces by its extension. */
export function compressionFromName(name: string): Compression | undefined {
  const m = /(\.[A-Za-z0-9]+)$/.exec(name);
  return m ? EXTENSIONS[m[1].toLowerCase()] : undefined;
}

const MAGIC: [Compression, number[]][] = [
  ["gzip", [0x1f, 0x8b]],
  ["bzip2", [0x42, 0x5a, 0x68]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
];

/** The compression the first bytes of a file show. */
export function compressionFromMagic(
  head: Uint8Array,
): Compression | undefined {
  return MAGIC.find(([, magic]) => magic.every((b, i) => head[i] === b))?.[0];
}

/** The compression of the file at PATH: by the extension of NAME, else by its magic bytes. */
export async function detectCompression(
  name: string,
  path: string,
): Promise<Compression | undefined> {
  const byName = compressionFromName(name);
  if (byName) return byName;
  const file = await Deno.open(path);
  try {
    const head = new Uint8Array(8);
    const n = (await file.read(head)) ?? 0;
    return compressionFromMagic(head.subarray(0, n));
  } finally {
    file.close();
  }
}

/** A running decompressor: write compressed bytes in, read plain bytes out. */
export interface Decompressor
  extends ReadableWritablePair<Uint8Array, Uint8Array> {
  /** Settles when the tool has exited; rejects with a LimaError carrying its message on failure. */
  done: Promise<void>;
  /** Stops the tool (after a failure elsewhere in the pipeline). */
  kill(): void;
}

/** Starts the decompressor for KIND; NAME is used in messages. */
export function decompressor(kind: Compression, name: string): Decompressor {
  const tool = TOOLS[kind];
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(tool.command, {
      args: tool.args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new LimaError({
        summary:
          `cannot decompress ${name}: the \`${tool.command}\` command was not found`,
        hint: `install ${tool.packages}`,
      }, { cause: err });
    }
    throw err;
  }
  const stderr = new Response(child.stderr).text();
  const done = child.status.then(async (status) => {
    if (status.success) return;
    const message = (await stderr).trim();
    throw new LimaError({
      summary: `failed to decompress ${name} with ${tool.command}`,
      detail: message || `exit status ${status.code}`,
    });
  });
  // Callers await `done` only after the pipes settle; until then a failure is not "unhandled".
  done.catch(() => {});
  return {
    writable: child.stdin,
    readable: child.stdout,
    done,
    kill: () => {
      try {
        child.kill();
      } catch {
        // Already exited.
      }
    },
  };
}
