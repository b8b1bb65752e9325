/**
 * Instances created before Lima 2.1 keep their VM disk as `diffdisk` and the downloaded image as
 * `basedisk`. Lima (`MigrateDiskLayout`, `pkg/driverutil/disk.go`) links the current names to
 * them, so that start boots the user's disk instead of making a fresh one from the image; the
 * old files stay in place for older versions.
 */
import { join } from "node:path";
import { exists } from "../exists.ts";
import { isISO9660 } from "../is_iso9660.ts";
import { logger } from "../log.ts";
import { InstanceFiles } from "../store/paths.ts";

const DIFFDISK = "diffdisk";
const BASEDISK = "basedisk";

/** Links `disk` to `diffdisk`, and `iso` to an ISO `basedisk`, where only the old names exist. */
export async function migrateDiskLayout(dir: string): Promise<void> {
  const disk = join(dir, InstanceFiles.disk);
  if (await exists(disk)) return;
  if (await exists(join(dir, DIFFDISK))) {
    logger.info(
      `Creating symlink \`${InstanceFiles.disk}\` -> \`${DIFFDISK}\``,
    );
    await Deno.symlink(DIFFDISK, disk);
  }
  const basedisk = join(dir, BASEDISK);
  const iso = join(dir, InstanceFiles.iso);
  // A basedisk that is not an ISO is the qcow2 backing file of diffdisk: QEMU opens it itself.
  if (
    await exists(basedisk) && !(await exists(iso)) &&
    await isISO9660(basedisk)
  ) {
    logger.info(`Creating symlink \`${InstanceFiles.iso}\` -> \`${BASEDISK}\``);
    await Deno.symlink(BASEDISK, iso);
  }
}
