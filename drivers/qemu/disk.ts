/** Turning the downloaded image into the instance disk with `qemu-img` (spec §8.3). */
import { join } from "node:path";
import { formatSize } from "../../core/config/units.ts";
import { errorMessage, LimaError } from "../../core/errors.ts";
import { logger } from "../../core/log.ts";
import { quote } from "../../core/quote.ts";
import { instanceImage } from "../common/instance_image.ts";
import { runText } from "../common/process.ts";
import { exists } from "../../core/store/exists.ts";

/** The part of `qemu-img info --output=json` that matters here. */
export interface ImageInfo {
  format: string;
  virtualSize: number;
  backingFile?: string;
  /** A qcow2 external data file. */
  dataFile?: string;
}

export async function imageInfo(
  qemuImg: string,
  path: string,
): Promise<ImageInfo> {
  const text = await runText(qemuImg, [
    "info",
    "--output=json",
    "--force-share",
    path,
  ], `inspect ${path}`);
  const info = JSON.parse(text) as Record<string, unknown>;
  return {
    format: String(info["format"]),
    virtualSize: Number(info["virtual-size"]),
    backingFile: (info["full-backing-filename"] ?? info["backing-filename"]) as
      | string
      | undefined,
    dataFile: ((info["format-specific"] as
      | { data?: { "data-file"?: string } }
      | undefined)?.data)?.["data-file"],
  };
}

/** Whether a file is an ISO9660 image (`CD001` at sector 16). */
export async function isISO9660(path: string): Promise<boolean> {
  const file = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(5);
    await file.seek(0x8001, Deno.SeekMode.Start);
    const n = await file.read(buf);
    return n === 5 && new TextDecoder().decode(buf) === "CD001";
  } finally {
    file.close();
  }
}

/**
 * Refuses images that would make QEMU open other files: a backing file (an image can name
 * any host file as its backing file and so expose it to the guest) or an external data file.
 */
export function checkBaseImage(
  info: ImageInfo,
  path: string,
  formats: string[],
): void {
  if (info.backingFile) {
    throw new LimaError({
      summary: `image ${quote(path)} has a backing file, which is not allowed`,
      detail: `backing file: ${info.backingFile}`,
      hint: "flatten it with `qemu-img convert` first",
    });
  }
  if (info.dataFile) {
    throw new LimaError({
      summary: `image ${
        quote(path)
      } has an external data file, which is not allowed`,
      detail: `data file: ${info.dataFile}`,
    });
  }
  if (!formats.includes(info.format)) {
    throw new LimaError({
      summary: `image ${quote(path)} has the unsupported format ${
        JSON.stringify(info.format)
      }`,
      detail: `supported formats: ${formats.join(", ")}`,
    });
  }
}

export interface CreateDiskOptions {
  qemuImg: string;
  dir: string;
  /** Size in bytes for a fresh disk when the image is an installer ISO. */
  size: number;
  formats: string[];
}

/**
 * Creates `INSTDIR/disk` from `INSTDIR/image` unless the disk exists: an ISO becomes `iso`
 * next to a fresh qcow2 disk; a disk image becomes the disk as it is (no conversion).
 */
export async function createDisk(options: CreateDiskOptions): Promise<void> {
  const disk = join(options.dir, "disk");
  if (await exists(disk)) return;
  const image = await instanceImage(options.dir, "the disk");
  if (await isISO9660(image)) {
    await Deno.rename(image, join(options.dir, "iso"));
    await runText(options.qemuImg, [
      "create",
      "-f",
      "qcow2",
      disk,
      String(options.size),
    ], "create the disk");
    return;
  }
  checkBaseImage(
    await imageInfo(options.qemuImg, image),
    image,
    options.formats,
  );
  await Deno.rename(image, disk);
}

/** Grows the disk to `size` bytes when it is smaller; shrinking is refused. */
export async function growDisk(
  options: { qemuImg: string; dir: string; name: string; size: number },
): Promise<void> {
  const disk = join(options.dir, "disk");
  if (await exists(join(options.dir, "iso")) && !(await exists(disk))) return;
  const info = await imageInfo(options.qemuImg, disk);
  if (options.size === info.virtualSize) return;
  if (options.size < info.virtualSize) {
    throw new LimaError({
      summary: "disk shrinking is not supported",
      path: "disk",
      detail: `${info.virtualSize} bytes → ${options.size} bytes`,
    });
  }
  logger.info(
    `Resize instance ${options.name}'s disk from ${
      formatSize(info.virtualSize)
    } to ${formatSize(options.size)}`,
  );
  try {
    await runText(options.qemuImg, [
      "resize",
      "-f",
      info.format,
      disk,
      String(options.size),
    ], "resize the disk");
  } catch (err) {
    throw new LimaError({
      summary: "failed to grow the disk",
      detail: errorMessage(err),
    });
  }
}
