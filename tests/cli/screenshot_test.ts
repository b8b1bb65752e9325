/**
 * `limactl screenshot` as a user runs it. A "running" instance is faked: live PIDs in
 * `ha.pid`/`qemu.pid` and the host agent's real API on `ha.sock` with a stand-in capture.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveAPI } from "../../core/hostagent/api.ts";
import {
  NoDisplayError,
  type ScreenshotFormat,
} from "../../plugins/contract.ts";
import {
  assertFatal,
  assertInfo,
  createDummyInstance,
  limactlExpect,
  tempLimaHome,
} from "./helpers.ts";

/** Instance `vm`, seen as Running, whose host agent answers screenshots with CAPTURE. */
async function runningWithDisplay(
  limaHome: string,
  capture: (format: ScreenshotFormat) => Promise<Uint8Array<ArrayBuffer>>,
): Promise<AsyncDisposable> {
  await createDummyInstance("vm", { limaHome });
  const dir = join(limaHome, "vm");
  await Deno.writeTextFile(join(dir, "ha.pid"), `${Deno.pid}\n`);
  await Deno.writeTextFile(join(dir, "qemu.pid"), `${Deno.pid}\n`);
  const api = await serveAPI(join(dir, "ha.sock"), {
    info: () => ({ sshLocalPort: 22 }),
    driverName: "qemu",
    screenshot: capture,
  });
  return { [Symbol.asyncDispose]: () => api.close() };
}

Deno.test("screenshot saves the display as the output's extension asks, INSTANCE-screenshot.png by default", async () => {
  const limaHome = await tempLimaHome();
  try {
    const asked: string[] = [];
    await using _vm = await runningWithDisplay(limaHome, (format) => {
      asked.push(format);
      return Promise.resolve(new TextEncoder().encode(`image as ${format}`));
    });
    let r = await limactlExpect(0, ["screenshot", "vm"], { limaHome });
    assert.equal(
      await Deno.readTextFile(join(limaHome, "vm-screenshot.png")),
      "image as png",
    );
    assertInfo(r.stderr, 'Screenshot saved to "vm-screenshot.png" (12 bytes)');
    r = await limactlExpect(0, ["screenshot", "-o", "shot.BMP", "vm"], {
      limaHome,
    });
    assert.equal(
      await Deno.readTextFile(join(limaHome, "shot.BMP")),
      "image as bmp",
    );
    assert.deepEqual(asked, ["png", "bmp"]);
    r = await limactlExpect(1, ["screenshot", "-o", "shot.jpg", "vm"], {
      limaHome,
    });
    assertFatal(
      r.stderr,
      'unsupported output extension ".jpg": must be .png or .bmp',
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("screenshot names why there is no picture: no display, not running, no instance", async () => {
  const limaHome = await tempLimaHome();
  try {
    {
      await using _vm = await runningWithDisplay(
        limaHome,
        () => Promise.reject(new NoDisplayError()),
      );
      const r = await limactlExpect(1, ["screenshot", "vm"], { limaHome });
      assertFatal(
        r.stderr,
        'screenshot failed: VM has no display configured — set video.display (e.g., "default") in the instance config',
      );
      assert.equal(
        await Deno.stat(join(limaHome, "vm-screenshot.png")).catch(() => null),
        null,
        "nothing is written",
      );
    }
    await createDummyInstance("stopped", { limaHome });
    let r = await limactlExpect(1, ["screenshot", "stopped"], { limaHome });
    assertFatal(
      r.stderr,
      'instance "stopped" is not running (status: Stopped)',
    );
    r = await limactlExpect(1, ["screenshot", "nosuch"], { limaHome });
    assertFatal(
      r.stderr,
      `open ${
        join(limaHome, "nosuch", "lima.yaml")
      }: no such file or directory`,
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});
