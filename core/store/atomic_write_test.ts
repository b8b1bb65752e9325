import assert from "node:assert/strict";
import { writeFileAtomic } from "./atomic_write.ts";

Deno.test("writeFileAtomic replaces the file and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/lima.yaml`;
    await Deno.writeTextFile(path, "old: 1\n");
    await writeFileAtomic(path, "new: 2\n", { mode: 0o600 });
    assert.equal(await Deno.readTextFile(path), "new: 2\n");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name),
      ["lima.yaml"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readers racing with writeFileAtomic see the old or the new content, never a mix", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/data`;
    const a = "a".repeat(1 << 20);
    const b = "b".repeat(1 << 20);
    await Deno.writeTextFile(path, a);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) await writeFileAtomic(path, i % 2 ? a : b);
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const text = await Deno.readTextFile(path);
      assert.ok(text === a || text === b, "a read saw a partly written file");
      reads++;
    }
    await writer;
    assert.ok(reads > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failed write leaves the old file and no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/sub`;
    await Deno.mkdir(path);
    await assert.rejects(writeFileAtomic(path, "x"));
    assert.ok((await Deno.stat(path)).isDirectory);
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name),
      ["sub"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
