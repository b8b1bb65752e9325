/**
 * The `limactl disk` sub-commands (Lima's `cmd/limactl/disk.go`): create, list, delete, unlock,
 * resize, import.
 */
import { join } from "node:path";
import { formatSize, parseSize } from "../config/units.ts";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import {
  createDisk,
  DATA_DISK,
  type Disk,
  diskDir,
  type DiskFormat,
  diskNames,
  importDisk,
  inspectDisk,
  resizeImage,
  unlockDisk,
} from "../store/disks.ts";
import { additionalDiskNames, holderRunning } from "../instance/disk_lock.ts";
import { inspectInstance, instanceNames } from "../instance/instance.ts";
import type { Instance } from "../instance/record.ts";
import { alignColumns } from "../tabwriter.ts";
import { exists } from "../exists.ts";

function size(text: string): number {
  try {
    return parseSize(text);
  } catch (err) {
    throw new LimaError({ summary: errorMessage(err) });
  }
}

function checkFormat(format: string): DiskFormat {
  if (format !== "qcow2" && format !== "raw") {
    throw new LimaError({
      summary: `disk format ${
        quote(format)
      } not supported, use \`qcow2\` or \`raw\` instead`,
    });
  }
  return format;
}

/** `limactl disk create NAME --size SIZE [--format qcow2|raw]`. */
export async function diskCreate(
  name: string,
  options: { size: string; format?: string },
): Promise<Disk> {
  const bytes = size(options.size);
  const format = checkFormat(options.format ?? "qcow2");
  const dir = diskDir(name);
  if (await exists(dir)) {
    throw new LimaError({
      summary: `disk ${quote(name)} already exists (${quote(dir)})`,
    });
  }
  logger.info(
    `Creating ${format} disk ${quote(name)} with size ${formatSize(bytes)}`,
  );
  return await createDisk(name, { size: bytes, format });
}

/** `limactl disk list [--json] [NAME...]`. */
export async function diskList(
  names: string[],
  options: { json?: boolean; write: (text: string) => void },
) {
  const all = await diskNames();
  let selected = all;
  if (names.length > 0) {
    selected = [];
    for (const name of names) {
      if (all.includes(name)) selected.push(name);
      else logger.warn(`No disk matching ${name} found.`);
    }
  }
  const disks: Disk[] = [];
  for (const name of selected) {
    let disk: Disk | undefined;
    let problem: string | undefined;
    try {
      disk = await inspectDisk(name);
    } catch (err) {
      problem = errorMessage(err);
    }
    if (disk) disks.push(disk);
    else {logger.error(
        `disk ${quote(name)} does not exist?`,
        problem ? { error: problem } : undefined,
      );}
  }
  if (options.json) {
    options.write(disks.map((d) => JSON.stringify(d) + "\n").join(""));
    return;
  }
  if (selected.length === 0) {
    logger.warn(
      "No disk found. Run `limactl disk create DISK --size SIZE` to create a disk.",
    );
  }
  const rows = [["NAME", "SIZE", "FORMAT", "DIR", "IN-USE-BY"]];
  for (const d of disks) {
    rows.push([d.name, formatSize(d.size), d.format, d.dir, d.instance]);
  }
  options.write(alignColumns(rows));
}

async function allInstances(): Promise<Instance[]> {
  const found = await Promise.all(
    (await instanceNames()).map((n) =>
      inspectInstance(n).catch(() => undefined)
    ),
  );
  return found.filter((i): i is Instance => i !== undefined);
}

/** `limactl disk delete [--force] NAME...`: refuses disks in use; skips referenced ones unless forced. */
export async function diskDelete(
  names: string[],
  options: { force?: boolean } = {},
): Promise<void> {
  const instances = options.force ? [] : await allInstances();
  for (const name of names) {
    const disk = await inspectDisk(name);
    if (!disk) {
      logger.warn(`Ignoring non-existent disk ${quote(name)}`);
      continue;
    }
    if (!options.force) {
      if (disk.instance !== "") {
        throw new LimaError({
          summary: `cannot delete disk ${quote(name)} in use by instance ${
            quote(disk.instance)
          }`,
        });
      }
      const users = instances.filter((i) =>
        additionalDiskNames(i.additionalDisks).includes(name)
      )
        .map((i) => i.name);
      if (users.length > 0) {
        logger.warn(
          `Skipping deleting disk ${
            quote(name)
          }, disk is referenced by one or more non-running instances: [${
            users.map(quote).join(" ")
          }]`,
        );
        logger.warn(
          `To delete anyway, run ${
            quote(`limactl disk delete --force ${name}`)
          }`,
        );
        continue;
      }
    }
    try {
      await Deno.remove(disk.dir, { recursive: true });
    } catch (err) {
      throw new LimaError({
        summary: `failed to delete disk ${quote(name)}`,
        detail: `failed to remove ${quote(disk.dir)}: ${errorMessage(err)}`,
      });
    }
    logger.info(`Deleted ${quote(name)} (${quote(disk.dir)})`);
  }
}

/** `limactl disk unlock NAME...`: drops the `in_use_by` lock unless the owner is running. */
export async function diskUnlock(names: string[]): Promise<void> {
  for (const name of names) {
    const disk = await inspectDisk(name);
    if (!disk) {
      logger.warn(`Ignoring non-existent disk ${quote(name)}`);
      continue;
    }
    if (disk.instance === "") {
      logger.warn(`Ignoring unlocked disk ${quote(name)}`);
      continue;
    }
    const inst = await inspectInstance(disk.instance).catch(() => undefined);
    if (inst) {
      if (inst.errors.length > 0) {
        logger.warn(
          `Cannot unlock disk ${quote(name)}, attached instance ${
            quote(disk.instance)
          } has errors: [${inst.errors.join(" ")}]`,
        );
        continue;
      }
      if (inst.status === "Running") {
        logger.warn(
          `Cannot unlock disk ${quote(name)} used by running instance ${
            quote(disk.instance)
          }`,
        );
        continue;
      }
    }
    try {
      await unlockDisk(disk);
    } catch (err) {
      throw new LimaError({
        summary: `failed to unlock disk ${quote(name)}`,
        detail: errorMessage(err),
      });
    }
    logger.info(`Unlocked disk ${quote(name)} (${quote(disk.dir)})`);
  }
}

/** `limactl disk resize NAME --size SIZE`: grows only, and never under a running instance. */
export async function diskResize(
  name: string,
  options: { size: string },
): Promise<void> {
  const bytes = size(options.size);
  const disk = await inspectDisk(name);
  if (!disk) {
    throw new LimaError({ summary: `disk ${quote(name)} does not exists` });
  }
  if (bytes < disk.size) {
    throw new LimaError({
      summary: `specified size ${
        quote(formatSize(bytes))
      } is less than the current disk size ${
        quote(formatSize(disk.size))
      }. Disk shrinking is currently unavailable`,
    });
  }
  // Broken counts: a VM whose host agent died still has the disk open.
  if (await holderRunning(disk)) {
    throw new LimaError({
      summary: `cannot resize disk ${quote(name)} used by running instance ${
        quote(disk.instance)
      }. Please stop the VM instance`,
    });
  }
  try {
    await resizeImage(join(disk.dir, DATA_DISK), disk.format, bytes);
  } catch (err) {
    throw new LimaError({
      summary: `failed to resize disk ${quote(name)}`,
      detail: errorMessage(err),
    });
  }
  logger.info(`Resized disk ${quote(name)} (${quote(disk.dir)})`);
}

/** `limactl disk import NAME FILE`. */
export async function diskImport(name: string, file: string): Promise<Disk> {
  const disk = await importDisk(name, file);
  logger.info(`Imported ${name} with size ${formatSize(disk.size)}`);
  return disk;
}
