/**
 * Turning the downloaded image into the instance disk with `qemu-img` (Lima's `EnsureDisk`,
 * `pkg/driver/qemu/qemu.go`).
 */
import { join } from "node:path";
import { formatSize } from "../../core/config/units.ts";
import { errorMessage, LimaError } from "../../core/errors.ts";
import { logger } from "../../core/log.ts";
import { checkBaseImage, imageInfo } from "../common/image_info.ts";
import { isISO9660 } from "../../core/is_iso9660.ts";
import { instanceImage } from "../common/instance_image.ts";
import { runText } from "../common/process.ts";
import { exists } from "../../core/exists.ts";

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
