/** Exclusive use of a cache entry, within this process and across processes. */
import { join } from "node:path";

const queues = new Map<string, Promise<void>>();

/**
 * Runs FN while holding an exclusive lock on DIR (which must exist). Callers in this process
 * queue on a promise chain; other processes, including Lima itself, wait on `flock` of the
 * directory, as Lima locks its cache entries. Windows cannot open a directory, so there a
 * `.lock` file inside it is locked instead.
 */
export async function withDirLock<T>(
  dir: string,
  fn: () => Promise<T>,
): Promise<T> {
  const previous = queues.get(dir) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  queues.set(dir, tail);
  await previous;
  try {
    const target = Deno.build.os === "windows" ? join(dir, ".lock") : dir;
    const file = await Deno.open(
      target,
      Deno.build.os === "windows"
        ? { read: true, write: true, create: true }
        : { read: true },
    );
    try {
      await file.lock(true);
      return await fn();
    } finally {
      // Closing the descriptor releases the lock.
      file.close();
    }
  } finally {
    release();
    if (queues.get(dir) === tail) queues.delete(dir);
  }
}
