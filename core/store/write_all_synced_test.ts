import assert from "node:assert/strict";
import { join } from "node:path";
import { writeAllSynced } from "./write_all_synced.ts";

Deno.test("writeAllSynced writes every byte and closes the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "f");
    const bytes = new Uint8Array(1 << 20).fill(7);
    const file = await Deno.open(path, { write: true, createNew: true });
    await writeAllSynced(file, bytes);
    assert.deepEqual(await Deno.readFile(path), bytes);
    assert.throws(
      () => file.writeSync(new Uint8Array(1)),
      Deno.errors.BadResource,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeAllSynced closes the file when a write fails", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "f");
    await Deno.writeTextFile(path, "x");
    const file = await Deno.open(path, { read: true });
    await assert.rejects(writeAllSynced(file, new Uint8Array(4)));
    assert.throws(
      () => file.readSync(new Uint8Array(1)),
      Deno.errors.BadResource,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
