/**
 * `limactl screenshot` for QEMU: QMP `screendump` of the VM's display (Lima's qemu driver has
 * none; its vz driver captures the window). QEMU writes PNG itself; BMP is made from its PPM.
 */
import { join } from "node:path";
import { LimaError } from "../../core/errors.ts";
import {
  NoDisplayError,
  type ScreenshotFormat,
} from "../../plugins/contract.ts";
import type { QmpClient } from "./qmp.ts";

/** QEMU's answer when the VM was started without a display device (`-vga none`). */
const NO_CONSOLE = /no console/i;

/** Captures the display into a file in DIR (QEMU writes it), reads it back and removes it. */
export async function captureScreenshot(
  qmp: QmpClient,
  dir: string,
  format: ScreenshotFormat,
): Promise<Uint8Array<ArrayBuffer>> {
  const file = join(dir, `screenshot.${format === "png" ? "png" : "ppm"}`);
  try {
    await qmp.execute("screendump", {
      filename: file,
      ...(format === "png" ? { format: "png" } : {}),
    });
    const bytes = await Deno.readFile(file);
    return format === "png" ? bytes : ppmToBmp(bytes);
  } catch (err) {
    if (err instanceof LimaError && NO_CONSOLE.test(err.message)) {
      throw new NoDisplayError();
    }
    throw err;
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

/** A binary PPM (P6, maxval 255) as a 24-bit bottom-up BMP. */
export function ppmToBmp(ppm: Uint8Array): Uint8Array<ArrayBuffer> {
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(
    new TextDecoder("latin1").decode(ppm.subarray(0, 64)),
  );
  if (!header) {
    throw new LimaError({ summary: "QEMU's screendump is not a binary PPM" });
  }
  const [width, height] = [Number(header[1]), Number(header[2])];
  const pixels = ppm.subarray(header[0].length);
  const stride = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + stride * height;
  const bmp = new Uint8Array(size);
  const view = new DataView(bmp.buffer);
  bmp.set([0x42, 0x4d]); // "BM"
  view.setUint32(2, size, true);
  view.setUint32(10, 54, true); // pixel data offset
  view.setUint32(14, 40, true); // BITMAPINFOHEADER
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true); // planes
  view.setUint16(28, 24, true); // bits per pixel
  view.setUint32(34, stride * height, true);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3;
      // BMP stores blue, green, red.
      bmp[row + x * 3] = pixels[from + 2];
      bmp[row + x * 3 + 1] = pixels[from + 1];
      bmp[row + x * 3 + 2] = pixels[from];
    }
  }
  return bmp;
}
