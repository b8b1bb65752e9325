import assert from "node:assert/strict";
import { guestPathOf, hostWorkingDir } from "./host_path.ts";

Deno.test("an absolute host path is the same path in the guest", () => {
  assert.equal(guestPathOf("/Users/me/project"), "/Users/me/project");
});

Deno.test("relative and empty paths are refused with Lima's errors", () => {
  assert.throws(() => guestPathOf("os-release"), {
    message: "expected an absolute path, got a relative path: `os-release`",
  });
  assert.throws(() => guestPathOf(""), { message: "path is empty" });
});

Deno.test("the working directory keeps $PWD's spelling when it names the same directory", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  const link = `${dir}-link`;
  const saved = { cwd: Deno.cwd(), pwd: Deno.env.get("PWD") };
  try {
    await Deno.symlink(dir, link);
    Deno.chdir(link);
    Deno.env.set("PWD", link);
    assert.equal(hostWorkingDir(), link);
    Deno.env.set("PWD", "/");
    assert.equal(hostWorkingDir(), dir);
  } finally {
    Deno.chdir(saved.cwd);
    if (saved.pwd === undefined) Deno.env.delete("PWD");
    else Deno.env.set("PWD", saved.pwd);
    await Deno.remove(link);
    await Deno.remove(dir);
  }
});
