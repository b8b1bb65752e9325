import assert from "node:assert/strict";
import { join } from "node:path";
import { exists } from "./exists.ts";

Deno.test("exists sees files and dangling symlinks, not missing paths", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await exists(dir), true);
    assert.equal(await exists(join(dir, "missing")), false);
    await Deno.symlink(join(dir, "missing"), join(dir, "link"));
    assert.equal(await exists(join(dir, "link")), true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
