import assert from "node:assert/strict";
import { join } from "node:path";
import { LimaError } from "../../core/errors.ts";
import { imageInfo } from "../common/image_info.ts";
import { createDisk, growDisk } from "./instance_disk.ts";

const formats = ["qcow2", "raw", "vmdk", "vhdx"];

async function qemuImg(...args: string[]): Promise<void> {
  const out = await new Deno.Command("qemu-img", { args }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a qcow2 image becomes the disk as it is", async () => {
  await inTempDir(async (dir) => {
    await qemuImg("create", "-f", "qcow2", join(dir, "image"), "8M");
    await createDisk({ qemuImg: "qemu-img", dir, size: 1 << 30, formats });
    const info = await imageInfo("qemu-img", join(dir, "disk"));
    assert.equal(info.format, "qcow2");
    assert.equal(info.virtualSize, 8 * 1024 * 1024);
    await assert.rejects(Deno.stat(join(dir, "image")), Deno.errors.NotFound);
  });
});

Deno.test("an image with a backing file is refused and left in place", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "secret"), "host file");
    await qemuImg(
      "create",
      "-f",
      "qcow2",
      "-F",
      "raw",
      "-b",
      join(dir, "secret"),
      join(dir, "image"),
      "8M",
    );
    const err = await createDisk({
      qemuImg: "qemu-img",
      dir,
      size: 1 << 30,
      formats,
    }).catch((e) => e);
    assert.ok(err instanceof LimaError);
    assert.match(
      err.diagnostic.summary,
      /has a backing file, which is not allowed/,
    );
    assert.ok((await Deno.stat(join(dir, "image"))).isFile);
    await assert.rejects(Deno.stat(join(dir, "disk")), Deno.errors.NotFound);
  });
});

Deno.test("an ISO becomes `iso` next to a fresh qcow2 disk of the configured size", async () => {
  await inTempDir(async (dir) => {
    const iso = new Uint8Array(64 * 1024);
    iso.set(new TextEncoder().encode("\x01CD001"), 0x8000);
    await Deno.writeFile(join(dir, "image"), iso);
    await createDisk({
      qemuImg: "qemu-img",
      dir,
      size: 64 * 1024 * 1024,
      formats,
    });
    assert.ok((await Deno.stat(join(dir, "iso"))).isFile);
    const info = await imageInfo("qemu-img", join(dir, "disk"));
    assert.deepEqual([info.format, info.virtualSize], [
      "qcow2",
      64 * 1024 * 1024,
    ]);
  });
});

Deno.test("createDisk keeps an existing disk", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "disk"), "existing");
    await createDisk({ qemuImg: "qemu-img", dir, size: 1 << 30, formats });
    assert.equal(await Deno.readTextFile(join(dir, "disk")), "existing");
  });
});

Deno.test("the disk grows to the configured size and never shrinks", async () => {
  await inTempDir(async (dir) => {
    await qemuImg("create", "-f", "qcow2", join(dir, "disk"), "8M");
    await growDisk({
      qemuImg: "qemu-img",
      dir,
      name: "t",
      size: 16 * 1024 * 1024,
    });
    assert.equal(
      (await imageInfo("qemu-img", join(dir, "disk"))).virtualSize,
      16 * 1024 * 1024,
    );
    const err = await growDisk({
      qemuImg: "qemu-img",
      dir,
      name: "t",
      size: 8 * 1024 * 1024,
    }).catch((e) => e);
    assert.ok(err instanceof LimaError);
    assert.equal(err.diagnostic.summary, "disk shrinking is not supported");
  });
});
