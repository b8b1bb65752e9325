/** `images` (with their kernel and initrd), `firmware.images` and `osOpts.Windows.virtioWin`. */
import { quote } from "../../quote.ts";
import type { ImageEntry } from "../schema.ts";
import type { Check } from "./check.ts";
import { checkFile } from "./file.ts";

export function checkImages(c: Check): void {
  const { y, fail } = c;
  if (!y.images?.length) fail("images", "field `images` must be set");
  y.images?.forEach((image, i) => checkImage(c, `images[${i}]`, image));
  y.firmware?.images?.forEach((f, i) =>
    checkFile(c, `firmware.images[${i}]`, f)
  );
  y.osOpts?.Windows?.virtioWin?.forEach((f, i) =>
    checkFile(c, `osOpts.Windows.virtioWin[${i}]`, f)
  );
}

/** An image, and its kernel and initrd, which must be of the image's architecture. */
function checkImage(c: Check, path: string, image: ImageEntry): void {
  checkFile(c, path, image);
  for (const part of ["kernel", "initrd"] as const) {
    const f = image[part];
    if (!f) continue;
    checkFile(c, `${path}.${part}`, f);
    if (f.arch && image.arch && f.arch !== image.arch) {
      c.fail(
        `${path}.${part}.arch`,
        `${path}.${part} has unexpected architecture ${
          quote(f.arch)
        }, must be ${quote(image.arch)}`,
      );
    }
  }
}
