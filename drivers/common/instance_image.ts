import { join } from "node:path";
import { LimaError } from "../../core/errors.ts";
import { exists } from "../../core/exists.ts";

/** The downloaded `INSTDIR/image`; fails, saying what could not be created (e.g. "the disk"), when it is missing. */
export async function instanceImage(
  dir: string,
  what: string,
): Promise<string> {
  const image = join(dir, "image");
  if (!(await exists(image))) {
    throw new LimaError({
      summary: `there is no image to create ${what} from`,
      detail: `${image} does not exist`,
    });
  }
  return image;
}
