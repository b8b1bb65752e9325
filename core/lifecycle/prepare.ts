/**
 * Preparing an instance for its first boot (Lima's `Prepare` in `pkg/instance/start.go`): choose
 * the image for the instance's arch, download it (with its kernel and initrd) into the instance
 * directory, and let the driver turn it into `disk`.
 */
import { join } from "node:path";
import { download } from "../download/download.ts";
import {
  isUnreachable,
  messageWithoutHint,
  NETWORK_HINT,
} from "../download/fetch_failure.ts";
import type { ImageEntry, LimaYAML } from "../config/schema.ts";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { writeFileAtomic } from "../store/atomic_write.ts";
import { InstanceFiles } from "../store/paths.ts";
import type { Driver } from "../../plugins/contract.ts";
import { exists } from "../exists.ts";
import { removeStaleTemporaries } from "../store/temporary.ts";
import { configureDriver } from "../../plugins/configure_driver.ts";
import { migrateDiskLayout } from "../instance/migrate_disk_layout.ts";

/**
 * The images to try, in order: those for the instance's arch whose variant and arch variant
 * match the first such entry's.
 */
export function candidateImages(
  images: ImageEntry[],
  arch: string,
): ImageEntry[] {
  const first = images.find((i) => i.arch === arch);
  if (!first) return [];
  return images.filter((i) =>
    i.arch === arch && (i.variant ?? "") === (first.variant ?? "") &&
    (i.archVariant ?? "") === (first.archVariant ?? "")
  );
}

async function fetchInto(
  dest: string,
  file: { location?: string | null; digest?: string | null },
  description: string,
  decompress = true,
): Promise<void> {
  await download(dest, file.location!, {
    digest: file.digest ?? undefined,
    decompress,
    description,
  });
}

/** Removes FILES that a failed attempt may have left. */
async function removeAll(files: string[]): Promise<void> {
  for (const f of files) await Deno.remove(f).catch(() => {});
}

/**
 * Downloads the image (and its kernel, kernel command line and initrd) into DIR unless the
 * instance already has `image` or `disk`. Every file appears whole or not at all.
 */
export async function ensureImage(
  dir: string,
  config: LimaYAML,
): Promise<void> {
  const image = join(dir, InstanceFiles.image);
  if (await exists(image) || await exists(join(dir, InstanceFiles.disk))) {
    return;
  }
  const images = config.images ?? [];
  if (images.length === 0) {
    throw new LimaError({
      summary:
        "no images are configured (did you set --image-variant or --arch-variant to a value not present in the template?)",
      path: "images",
    });
  }
  const arch = config.arch ?? "";
  const candidates = candidateImages(images, arch);
  if (candidates.length === 0) {
    throw new LimaError({
      summary: `no image is configured for the arch ${JSON.stringify(arch)}`,
      path: "images",
    });
  }
  const kernel = join(dir, "kernel");
  const cmdline = join(dir, "kernel.cmdline");
  const initrd = join(dir, "initrd");
  const failures: string[] = [];
  let unreachable = false;
  for (const entry of candidates) {
    if (!entry.location) continue;
    try {
      if (entry.kernel?.location) {
        await fetchInto(kernel, entry.kernel, "the kernel");
        if (entry.kernel.cmdline) {
          await writeFileAtomic(cmdline, entry.kernel.cmdline);
        }
      }
      if (entry.initrd?.location) {
        // The kernel unpacks a compressed initrd itself.
        await fetchInto(initrd, entry.initrd, "the initrd", false);
      }
      // The image last: its presence marks the download as complete.
      await fetchInto(image, entry, "the image");
      return;
    } catch (err) {
      await removeAll([kernel, cmdline, initrd]);
      unreachable ||= isUnreachable(err);
      failures.push(`${quote(entry.location)}: ${messageWithoutHint(err)}`);
      logger.warn(`Failed to download ${quote(entry.location)}`, {
        error: messageWithoutHint(err),
      });
    }
  }
  const local =
    "or download the image yourself and set `images[].location` to its local path";
  throw new LimaError({
    summary: "failed to download the image",
    detail: failures.join("; "),
    path: "images",
    hint: unreachable
      ? `${NETWORK_HINT}, ${local}`
      : local.replace(/^or d/, "d"),
  });
}

/**
 * Lima's `Prepare` for a configured driver: validate, keep a disk made before Lima 2.1, fetch
 * the image, create the disk.
 * When the disk cannot be made from the image, the image is removed so that the next
 * start fetches it again. What an interrupted start left in DIR goes first.
 */
export async function prepareInstance(
  o: { dir: string; driver: Driver },
): Promise<LimaYAML> {
  await removeStaleTemporaries(o.dir);
  const config = await configureDriver(o.driver);
  await migrateDiskLayout(o.dir);
  await ensureImage(o.dir, config);
  try {
    await o.driver.createDisk();
  } catch (err) {
    if (!(await exists(join(o.dir, InstanceFiles.disk)))) {
      await removeAll([join(o.dir, InstanceFiles.image)]);
    }
    throw new LimaError({
      summary: "failed to create the disk from the image",
      detail: err instanceof LimaError ? err.message : errorMessage(err),
    }, { cause: err });
  }
  return config;
}
