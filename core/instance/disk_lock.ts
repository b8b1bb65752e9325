/**
 * The `in_use_by` locks of additional disks: `_disks/NAME/in_use_by`, a symbolic link to the
 * directory of the instance using the disk, as in Lima. The host agent takes them before the
 * VM starts and drops them when it exits. A lock whose instance runs neither a host agent nor
 * a VM any more (its host agent was killed, or it was deleted) is stale: starting an instance
 * takes it over, where Lima refuses until `limactl disk unlock`. `disk list` and `disk delete`
 * still show and respect it, as Lima's do.
 */
import { basename, join } from "node:path";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import {
  type Disk,
  IN_USE_BY,
  inspectDisk,
  unlockDisk,
} from "../store/disks.ts";
import { inspectInstance } from "./instance.ts";
import { lockDiskRecord } from "../store/lock.ts";

/** The disk names of an `additionalDisks` list (a name, or an object with `name`). */
export function additionalDiskNames(entries: readonly unknown[]): string[] {
  return entries.flatMap((d) => {
    if (typeof d === "string") return [d];
    const name = (d as { name?: unknown } | null)?.name;
    return typeof name === "string" ? [name] : [];
  });
}

/** Whether the instance holding DISK's lock still runs a host agent or a VM. */
export async function holderRunning(disk: Disk): Promise<boolean> {
  if (disk.instance === "") return false;
  const inst = await inspectInstance(disk.instance).catch(() => undefined);
  // Broken (one of the two processes alive, or unreadable) counts as running: the VM may
  // still have the disk open.
  return inst !== undefined && inst.status !== "Stopped";
}

/**
 * Locks each disk in NAMES for the instance in INSTDIR; the result releases them. Refuses,
 * keeping none, a disk that does not exist or whose holder is another running instance.
 */
export async function lockDisks(
  names: readonly string[],
  instDir: string,
): Promise<AsyncDisposable> {
  const taken: string[] = [];
  const release = () => releaseDisks(taken.splice(0).reverse(), instDir);
  try {
    for (const name of names) {
      await lockDisk(name, instDir);
      taken.push(name);
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { [Symbol.asyncDispose]: release };
}

async function lockDisk(name: string, instDir: string): Promise<void> {
  await using _record = await lockDiskRecord(name);
  const disk = await inspectDisk(name);
  if (!disk) {
    throw new LimaError({
      summary: `failed to run load disk ${quote(name)}: it does not exist`,
      hint: `run \`limactl disk create ${name} --size SIZE\``,
    });
  }
  if (disk.instance !== "" && disk.instance !== basename(instDir)) {
    if (await holderRunning(disk)) {
      throw new LimaError({
        summary: `failed to run attach disk ${
          quote(name)
        }, in use by instance ${quote(disk.instance)}`,
        hint: `stop instance ${quote(disk.instance)} first`,
      });
    }
    logger.info(
      `Taking over disk ${quote(name)} from instance ${
        quote(disk.instance)
      }, which is not running`,
    );
  }
  if (disk.instance !== "") await unlockDisk(disk);
  logger.info(`Mounting disk ${quote(name)} on ${quote(disk.mountPoint)}`);
  await Deno.symlink(instDir, join(disk.dir, IN_USE_BY));
}

/** Drops the lock of each disk in NAMES that the instance in INSTDIR holds. */
export async function releaseDisks(
  names: readonly string[],
  instDir: string,
): Promise<void> {
  for (const name of names) {
    try {
      await using _record = await lockDiskRecord(name);
      const disk = await inspectDisk(name);
      if (!disk) logger.warn(`Disk ${quote(name)} does not exist`);
      else if (disk.instanceDir === instDir) await unlockDisk(disk);
    } catch (err) {
      logger.warn(
        `Failed to unlock disk ${
          quote(name)
        }. To use, run \`limactl disk unlock ${name}\``,
        { error: errorMessage(err) },
      );
    }
  }
}
