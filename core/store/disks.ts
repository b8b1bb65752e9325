/**
 * Additional disks in `LIMA_HOME/_disks/NAME/datadisk` (Lima's `pkg/store/disk.go`).
 * The image format and virtual size are read from the file header, never by running a
 * program; `qemu-img` is used to create and resize when it is installed. A `datadisk`
 * that is a symbolic link is followed for every read, resize and copy.
 */
import { basename, join } from "node:path";
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import { exists } from "../exists.ts";
import { validateDiskName } from "./names.ts";
import { renameNoReplace } from "./rename_no_replace.ts";
import { disksDir } from "./paths.ts";
import { temporaryPath } from "./temporary.ts";
import { ifFound } from "../if_found.ts";

export const DATA_DISK = "datadisk";
export const IN_USE_BY = "in_use_by";

export type DiskFormat = "qcow2" | "raw";

/** A disk as `limactl disk list --json` prints it. */
export interface Disk {
  name: string;
  /** Virtual size in bytes. */
  size: number;
  format: string;
  dir: string;
  /** The instance holding the `in_use_by` lock, or "". */
  instance: string;
  instanceDir: string;
  mountPoint: string;
  fsType?: string;
}

/** The directory of disk NAME (the name is validated). */
export function diskDir(name: string): string {
  validateDiskName(name);
  return join(disksDir(), name);
}

/** Names of all disks, sorted. */
export async function diskNames(): Promise<string[]> {
  const names = await ifFound(
    Array.fromAsync(Deno.readDir(disksDir()), (entry) => entry.name),
  );
  return (names ?? []).sort();
}

/** Image format and virtual size of the image at PATH, read from its header. */
export async function inspectImage(
  path: string,
): Promise<{ format: string; size: number }> {
  const file = await Deno.open(path, { read: true });
  try {
    const header = new Uint8Array(512);
    let n = 0;
    while (n < header.length) {
      const got = await file.read(header.subarray(n));
      if (got === null) break;
      n += got;
    }
    const view = new DataView(header.buffer, 0, n);
    const text = (from: number, to: number) =>
      new TextDecoder("latin1").decode(header.subarray(from, Math.min(to, n)));
    if (n >= 32 && text(0, 4) === "QFI\xfb") {
      return { format: "qcow2", size: Number(view.getBigUint64(24)) };
    }
    if (n >= 512 && text(0, 4) === "KDMV") {
      return {
        format: "vmdk",
        size: Number(view.getBigUint64(12, true)) * 512,
      };
    }
    if (n >= 8 && text(0, 8) === "vhdxfile") {
      return { format: "vhdx", size: -1 };
    }
    if (n >= 0x178 && view.getUint32(0x40, true) === 0xbeda107f) {
      return { format: "vdi", size: Number(view.getBigUint64(0x170, true)) };
    }
    return { format: "raw", size: (await file.stat()).size };
  } finally {
    file.close();
  }
}

/** Inspects disk NAME; undefined when it does not exist. */
export async function inspectDisk(
  name: string,
  fsType?: string,
): Promise<Disk | undefined> {
  const dir = diskDir(name);
  const dataDisk = join(dir, DATA_DISK);
  if (!(await ifFound(Deno.stat(dataDisk)))) return undefined;
  const { format, size } = await inspectImage(dataDisk);
  if (size < 0) {
    throw new LimaError({
      summary: `cannot determine size of ${quote(dataDisk)}`,
    });
  }
  const instanceDir = (await ifFound(Deno.readLink(join(dir, IN_USE_BY)))) ??
    "";
  return {
    name,
    size,
    format,
    dir,
    instance: instanceDir ? basename(instanceDir) : "",
    instanceDir,
    mountPoint: fsType === "swap" ? "[SWAP]" : `/mnt/lima-${name}`,
    ...(fsType !== undefined ? { fsType } : {}),
  };
}

/** Runs `qemu-img ARGS`; returns false when qemu-img is not installed. */
async function qemuImg(args: string[]): Promise<boolean> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("qemu-img", {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(
      `qemu-img ${args.join(" ")} failed: ${
        stderr || `exit status ${output.code}`
      }`,
    );
  }
  return true;
}

/** Creates an image of SIZE bytes at PATH: `qemu-img create` when available, else a sparse raw file. */
export async function createImage(
  path: string,
  size: number,
  format: DiskFormat,
): Promise<void> {
  if (await qemuImg(["create", "-f", format, path, String(size)])) return;
  const file = await Deno.open(path, {
    write: true,
    createNew: true,
    mode: 0o644,
  });
  try {
    await file.truncate(size);
  } finally {
    file.close();
  }
}

/** Grows the image at PATH to SIZE bytes. */
export async function resizeImage(
  path: string,
  format: string,
  size: number,
): Promise<void> {
  if (await qemuImg(["resize", "-f", format, path, String(size)])) return;
  if (format !== "raw") {
    throw new Error(
      `resizing a ${format} image needs qemu-img, which is not installed`,
    );
  }
  await Deno.truncate(path, size);
}

function alreadyExists(name: string, dir: string): string {
  return `disk ${quote(name)} already exists (${quote(dir)})`;
}

/**
 * Builds disk NAME in a hidden directory (created with MODE) where FILL writes the
 * datadisk, then moves it to DIR, so a failure leaves nothing behind. FAILURE maps the
 * error of a failed fill or move.
 */
async function buildDisk(options: {
  name: string;
  dir: string;
  mode: number;
  fill: (datadisk: string) => Promise<void>;
  failure?: (err: unknown) => unknown;
}): Promise<Disk> {
  const { name, dir } = options;
  await Deno.mkdir(disksDir(), { recursive: true, mode: 0o700 });
  const tmp = temporaryPath(disksDir(), name);
  await Deno.mkdir(tmp, { mode: options.mode });
  try {
    await options.fill(join(tmp, DATA_DISK));
    await renameNoReplace(tmp, dir, () => alreadyExists(name, dir));
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw options.failure ? options.failure(err) : err;
  }
  return (await inspectDisk(name))!;
}

/** Creates disk NAME. */
export async function createDisk(
  name: string,
  options: { size: number; format: DiskFormat },
): Promise<Disk> {
  const dir = diskDir(name);
  if (await exists(dir)) {
    throw new LimaError({ summary: alreadyExists(name, dir) });
  }
  return await buildDisk({
    name,
    dir,
    mode: 0o700,
    fill: (datadisk) => createImage(datadisk, options.size, options.format),
    failure: (err) =>
      err instanceof LimaError ? err : new LimaError({
        summary: `failed to create ${options.format} disk in ${quote(dir)}`,
        detail: err instanceof Error ? err.message : String(err),
      }, { cause: err }),
  });
}

/** Copies the qcow2 or raw image FILE into a new disk NAME (a symlinked FILE is followed). */
export async function importDisk(name: string, file: string): Promise<Disk> {
  const dir = diskDir(name);
  if (await exists(dir)) {
    throw new LimaError({ summary: alreadyExists(name, dir) });
  }
  const { format } = await inspectImage(file);
  if (format !== "qcow2" && format !== "raw") {
    throw new LimaError({
      summary: `disk format ${
        quote(format)
      } not supported, use \`qcow2\` or \`raw\` instead`,
    });
  }
  return await buildDisk({
    name,
    dir,
    mode: 0o755,
    fill: (datadisk) => Deno.copyFile(file, datadisk),
  });
}

/** Removes the `in_use_by` lock of DISK. */
export async function unlockDisk(disk: Disk): Promise<void> {
  await Deno.remove(join(disk.dir, IN_USE_BY));
}
