/** `limactl screenshot` for QEMU, against a real QEMU paused before its firmware runs. */
import assert from "node:assert/strict";
import { NoDisplayError } from "../../plugins/contract.ts";
import qemu from "./mod.ts";
import { startPausedQemu } from "./_paused_qemu.ts";
import { ppmToBmp } from "./screenshot.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The display of a QEMU in a fresh directory with EXTRA arguments. */
async function withPausedQemu(
  extra: string[],
  fn: (
    display: NonNullable<ReturnType<typeof qemu>["display"]>,
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "lima-shot-" });
  try {
    await using _vm = await startPausedQemu(dir, extra);
    await fn(qemu({ name: "shot", dir, config: { vmType: "qemu" } }).display!);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "qemu.pid",
      "qmp.sock",
    ], "no screenshot file is left in the instance directory");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a VM with a display is captured as PNG and as BMP of the same size", async () => {
  await withPausedQemu(["-device", "VGA"], async (display) => {
    const png = await display.screenshot!("png");
    assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
    const view = new DataView(png.buffer, png.byteOffset);
    const [width, height] = [view.getUint32(16), view.getUint32(20)];
    const bmp = await display.screenshot!("bmp");
    const bmpView = new DataView(bmp.buffer, bmp.byteOffset);
    assert.equal(String.fromCharCode(bmp[0], bmp[1]), "BM");
    assert.deepEqual(
      [bmpView.getInt32(18, true), bmpView.getInt32(22, true)],
      [width, height],
    );
    assert.equal(bmpView.getUint32(2, true), bmp.length);
  });
});

Deno.test("a VM without a display device says so with NoDisplayError", async () => {
  await withPausedQemu(["-vga", "none"], async (display) => {
    await assert.rejects(display.screenshot!("png"), NoDisplayError);
  });
});

Deno.test("a PPM becomes a bottom-up BMP in blue-green-red order with padded rows", () => {
  // 1x2: red on top, blue below; each BMP row is padded from 3 to 4 bytes.
  const ppm = new Uint8Array([
    ...new TextEncoder().encode("P6\n1 2\n255\n"),
    ...[255, 0, 0],
    ...[0, 0, 255],
  ]);
  const bmp = ppmToBmp(ppm);
  assert.equal(bmp.length, 54 + 2 * 4);
  assert.deepEqual([...bmp.subarray(54)], [255, 0, 0, 0, 0, 0, 255, 0]);
});
