/**
 * Following a growing text file line by line (tail -F), for the host agent's logs and the
 * guest's consoles.
 */
import { ifFound } from "./if_found.ts";

/** Reads the lines appended to a file since the last call (tail -F). */
export class LineFollower {
  readonly path: string;
  #offset = 0;
  #ino: number | null = null;
  #partial = "";
  readonly #decoder = new TextDecoder();

  constructor(path: string) {
    this.path = path;
  }

  /** Complete new lines; none when the file does not exist. */
  async read(): Promise<string[]> {
    const file = await ifFound(Deno.open(this.path, { read: true }));
    if (!file) return [];
    try {
      const info = await file.stat();
      if (info.ino !== this.#ino || info.size < this.#offset) {
        // Replaced or truncated: start from its beginning.
        this.#ino = info.ino;
        this.#offset = 0;
        this.#partial = "";
      }
      if (info.size === this.#offset) return [];
      await file.seek(this.#offset, Deno.SeekMode.Start);
      const buf = new Uint8Array(info.size - this.#offset);
      let got = 0;
      while (got < buf.length) {
        const n = await file.read(buf.subarray(got));
        if (n === null) break;
        got += n;
      }
      this.#offset += got;
      const text = this.#partial +
        this.#decoder.decode(buf.subarray(0, got), { stream: true });
      const lines = text.split("\n");
      this.#partial = lines.pop() ?? "";
      return lines.filter((l) => l.trim() !== "");
    } finally {
      file.close();
    }
  }
}

/** The last N non-empty lines of PATH (empty when it cannot be read). */
export async function tailLines(path: string, n: number): Promise<string[]> {
  try {
    const text = await Deno.readTextFile(path);
    return text.split("\n").filter((l) => l.trim() !== "").slice(-n);
  } catch {
    return [];
  }
}
