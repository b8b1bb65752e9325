/**
 * Per-instance locks for commands that change an instance. A lock is an advisory
 * `flock` on `LIMA_HOME/_locks/NAME.lock`: the kernel drops it when the holder exits,
 * so a crashed command never blocks the next one. The file is removed on release;
 * a waiter that locked a file which was removed meanwhile notices and tries again.
 */
import { join } from "node:path";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { locksDir } from "./paths.ts";
import { sleep } from "../sleep.ts";

export interface InstanceLock extends AsyncDisposable {
  /** The instance names held, sorted. */
  readonly names: readonly string[];
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for another command to finish; default 30 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Takes the lock of every instance in NAMES (in sorted order, so two commands never deadlock). */
export async function lockInstances(
  names: string[],
  options: LockOptions = {},
): Promise<InstanceLock> {
  const sorted = [...new Set(names)].sort();
  await Deno.mkdir(locksDir(), { recursive: true, mode: 0o700 });
  const held: Held[] = [];
  try {
    for (const name of sorted) {
      held.push(
        await acquire(
          `${name}.lock`,
          `instance ${quote(name)}`,
          options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ),
      );
    }
  } catch (err) {
    for (const h of held.reverse()) releaseHeld(h);
    throw err;
  }
  let released = false;
  const release = () => {
    if (released) return Promise.resolve();
    released = true;
    for (const h of held.reverse()) releaseHeld(h);
    return Promise.resolve();
  };
  return { names: sorted, release, [Symbol.asyncDispose]: release };
}

/** Takes the lock of one instance. */
export function lockInstance(
  name: string,
  options: LockOptions = {},
): Promise<InstanceLock> {
  return lockInstances([name], options);
}

/**
 * Takes the lock that guards the `in_use_by` record of disk NAME, for the moment it is read
 * and changed. Disk names follow the instance name rule, so `_disk.NAME` is no instance's.
 */
export async function lockDiskRecord(
  name: string,
  options: LockOptions = {},
): Promise<AsyncDisposable> {
  await Deno.mkdir(locksDir(), { recursive: true, mode: 0o700 });
  const held = await acquire(
    `_disk.${name}.lock`,
    `disk ${quote(name)}`,
    options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
  return { [Symbol.asyncDispose]: () => Promise.resolve(releaseHeld(held)) };
}

interface Held {
  path: string;
  file: Deno.FsFile;
}

/** Locks FILE in `_locks`; WHAT names what it guards in messages. */
async function acquire(
  file: string,
  what: string,
  timeoutMs: number,
): Promise<Held> {
  const path = join(locksDir(), file);
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  let announced = false;
  for (;;) {
    const file = await Deno.open(path, {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
    if (await file.tryLock(true)) {
      if (await sameFile(file, path)) {
        await file.truncate(0);
        await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
        return { path, file };
      }
      file.close();
      continue;
    }
    file.close();
    const holder = await readHolder(path);
    if (Date.now() >= deadline) {
      throw new LimaError({
        summary: `${what} is busy`,
        detail: `another limactl process${
          holder ? ` (pid ${holder})` : ""
        } is changing it`,
        hint: "try again when that command has finished",
      });
    }
    if (!announced) {
      logger.debug(
        `Waiting for another limactl process to finish with ${what}`,
        {
          pid: holder,
        },
      );
      announced = true;
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
}

/** Whether the locked handle still is the file at PATH (it may have been removed by the previous holder). */
async function sameFile(file: Deno.FsFile, path: string): Promise<boolean> {
  try {
    const [a, b] = await Promise.all([file.stat(), Deno.stat(path)]);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

async function readHolder(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await Deno.readTextFile(path)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function releaseHeld(h: Held): void {
  // Remove while still holding the lock, so that nobody can lock this path and then lose it.
  try {
    Deno.removeSync(h.path);
  } catch {
    // Already gone: nothing to clean up.
  }
  h.file.close();
}
