import assert from "node:assert/strict";
import { join } from "node:path";
import { migrateDiskLayout } from "./migrate_disk_layout.ts";

/** An ISO9660 volume descriptor's magic at sector 16, enough for the check. */
function isoBytes(): Uint8Array {
  const bytes = new Uint8Array(0x8010);
  bytes.set(new TextEncoder().encode("CD001"), 0x8001);
  return bytes;
}

async function layout(files: Record<string, Uint8Array>): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, data] of Object.entries(files)) {
    await Deno.writeFile(join(dir, name), data);
  }
  return dir;
}

const link = (dir: string, name: string) =>
  Deno.readLink(join(dir, name)).catch(() => undefined);

Deno.test("a Lima 1.x instance boots its diffdisk through a disk link", async () => {
  const dir = await layout({
    diffdisk: new Uint8Array([1]),
    basedisk: new Uint8Array(100),
  });
  await migrateDiskLayout(dir);
  assert.equal(await link(dir, "disk"), "diffdisk");
  assert.deepEqual(await Deno.readFile(join(dir, "disk")), new Uint8Array([1]));
  assert.equal(
    await link(dir, "iso"),
    undefined,
    "a qcow2 basedisk stays a backing file",
  );
  assert.ok(
    await Deno.stat(join(dir, "basedisk")),
    "old names stay for older versions",
  );
});

Deno.test("an installer ISO kept as basedisk becomes iso", async () => {
  const dir = await layout({
    diffdisk: new Uint8Array([1]),
    basedisk: isoBytes(),
  });
  await migrateDiskLayout(dir);
  assert.equal(await link(dir, "disk"), "diffdisk");
  assert.equal(await link(dir, "iso"), "basedisk");
});

Deno.test("a current instance is left alone", async () => {
  const dir = await layout({
    disk: new Uint8Array([2]),
    diffdisk: new Uint8Array([1]),
    basedisk: isoBytes(),
  });
  await migrateDiskLayout(dir);
  assert.deepEqual(await Deno.readFile(join(dir, "disk")), new Uint8Array([2]));
  assert.equal(await link(dir, "iso"), undefined);
});

Deno.test("a new instance without any disk gets no links", async () => {
  const dir = await layout({});
  await migrateDiskLayout(dir);
  assert.deepEqual([...Deno.readDirSync(dir)], []);
});
