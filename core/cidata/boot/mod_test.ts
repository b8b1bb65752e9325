import assert from "node:assert/strict";
import { BOOT_FILES } from "./mod.ts";

// mod.ts imports each script by a static specifier so that `deno compile` embeds it; this
// keeps that hand-kept list complete.
Deno.test("every script in boot.Linux/ and util/ is in BOOT_FILES, as it is on disk", async () => {
  const listed = new Map(BOOT_FILES.map((f) => [f.path, f.content]));
  for (const dir of ["boot.Linux", "util"]) {
    const url = new URL(`${dir}/`, import.meta.url);
    for await (const entry of Deno.readDir(url)) {
      const path = `${dir}/${entry.name}`;
      assert.ok(listed.has(path), `${path} is not listed in mod.ts`);
      assert.equal(
        listed.get(path),
        await Deno.readTextFile(new URL(entry.name, url)),
        `${path} differs from the file`,
      );
    }
  }
});
