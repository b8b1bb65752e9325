/**
 * Temporary files and directories that carry their owner's process ID, so that what a killed
 * command left behind can be told from what a running one is still writing, and removed.
 * Names: `.<name>.<pid>-<start>.<random>.tmp`, where `<start>` is the owner's start time in
 * clock ticks since boot (Linux, from `/proc`; omitted elsewhere). It guards against a reused
 * PID: a new process with the same PID has another start time. Where it is unknown the PID
 * alone decides; a reused PID then keeps a temporary until the reusing process ends, which
 * errs on the safe side.
 */
import { join } from "node:path";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { isProcessAlive } from "./pid_file.ts";
import { InstanceFiles } from "./paths.ts";
import { ifFound } from "../if_found.ts";

/** The owner of a temporary, as its name records it. */
export interface TemporaryOwner {
  pid: number;
  /** The owner's start time in clock ticks since boot, when recorded. */
  start?: string;
}

/**
 * Temporaries from earlier versions that name no owner (`.<name>.<random>.tmp` and
 * `.deleted-<random>`) are removed once they are this old: no command that made them runs
 * for a day, and a younger one may still belong to a running earlier version.
 */
export const OWNERLESS_MAX_AGE_MS = 24 * 60 * 60_000;

/**
 * The files Lima's downloader writes through `<file>.tmp.<pid>[.<n>]` (`perProcessTempfile`
 * in Lima's `pkg/downloader/downloader.go`): a cache entry's `data` and the files downloaded
 * into an instance directory (`image`, before Lima 2.1 `basedisk`, `kernel`, `initrd`). No
 * other name of that shape is a temporary: a user's `backup.tmp.4000000` stays where it is.
 */
const LIMA_DOWNLOADED = [
  "data",
  InstanceFiles.image,
  "basedisk",
  "kernel",
  "initrd",
];

/**
 * `.<name>.<pid>[-<start>].<hex8>.tmp` (ours), `.<name>.tmp.<pid>.<hex8>` (earlier download
 * temporaries) and Lima's `<file>.tmp.<pid>[.<n>]` for the files above.
 */
const OWNED = [
  /^\..+\.(\d+)(?:-(\d+))?\.[0-9a-f]{8}\.tmp$/,
  /^\..+\.tmp\.(\d+)\.[0-9a-f]{8}$/,
  new RegExp(`^(?:${LIMA_DOWNLOADED.join("|")})\\.tmp\\.(\\d+)(?:\\.\\d+)?$`),
];
const OWNERLESS = [/^\..+\.[0-9a-f]{8}\.tmp$/, /^\.deleted-[0-9a-f]{8}$/];

/** A process's start time in clock ticks since boot (Linux), or undefined. */
export function processStartTime(pid: number): string | undefined {
  if (Deno.build.os !== "linux") return undefined;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The fields after the parenthesised command name (which may contain spaces or ")")
    // begin with field 3; the start time is field 22.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

let ownToken: string | undefined;

/** This process's `<pid>[-<start>]`. */
function ownerToken(): string {
  if (ownToken === undefined) {
    const start = processStartTime(Deno.pid);
    ownToken = start ? `${Deno.pid}-${start}` : String(Deno.pid);
  }
  return ownToken;
}

/** A new temporary path in DIR for NAME, owned by this process. */
export function temporaryPath(dir: string, name: string): string {
  return join(
    dir,
    `.${name}.${ownerToken()}.${crypto.randomUUID().slice(0, 8)}.tmp`,
  );
}

/** The owner recorded in a temporary's file NAME; undefined when NAME is no owned temporary. */
export function temporaryOwner(name: string): TemporaryOwner | undefined {
  for (const pattern of OWNED) {
    const m = pattern.exec(name);
    if (m) return { pid: Number(m[1]), start: m[2] };
  }
  return undefined;
}

/** Whether NAME is a temporary of ours or Lima's, owned or not. */
export function isTemporaryName(name: string): boolean {
  return temporaryOwner(name) !== undefined ||
    OWNERLESS.some((p) => p.test(name));
}

/**
 * Whether OWNER still runs: its PID is alive and, where recorded, has the same start time.
 * When the host cannot tell (no signal 0), it counts as running.
 */
function isOwnerAlive(owner: TemporaryOwner): boolean {
  try {
    if (!isProcessAlive(owner.pid)) return false;
  } catch {
    return true;
  }
  if (owner.start === undefined) return true;
  const start = processStartTime(owner.pid);
  return start === undefined || start === owner.start;
}

/** Whether the temporary NAME in DIR is left from a process that no longer runs. */
async function isStale(dir: string, name: string): Promise<boolean> {
  const owner = temporaryOwner(name);
  if (owner) {
    // Lima's names are not hidden; only files, so that no instance directory ever matches.
    if (!name.startsWith(".") && !(await Deno.lstat(join(dir, name))).isFile) {
      return false;
    }
    return !isOwnerAlive(owner);
  }
  if (!OWNERLESS.some((p) => p.test(name))) return false;
  const info = await Deno.lstat(join(dir, name));
  return Date.now() - (info.mtime?.getTime() ?? Date.now()) >
    OWNERLESS_MAX_AGE_MS;
}

/**
 * Removes the temporaries in DIR whose owner no longer runs (a symlink is removed, never
 * followed); those of running processes, this one included, stay. Returns the removed paths.
 * A missing DIR has none.
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const entries = await ifFound(Array.fromAsync(Deno.readDir(dir)));
  if (!entries) return removed;
  for (const { name } of entries) {
    try {
      if (!await isStale(dir, name)) continue;
      const path = join(dir, name);
      logger.debug(`Deleting the stale temporary ${quote(path)}`);
      await Deno.remove(path, { recursive: true });
      removed.push(path);
    } catch (err) {
      // Another sweep got there first.
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return removed;
}
