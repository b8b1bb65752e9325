import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { homedir } from "node:os";
import { cacheDir, cacheEntryDir } from "./cache_dir.ts";

function withEnv(
  name: string,
  value: string | undefined,
  fn: () => void,
): void {
  const previous = Deno.env.get(name);
  if (value === undefined) Deno.env.delete(name);
  else Deno.env.set(name, value);
  try {
    fn();
  } finally {
    if (previous === undefined) Deno.env.delete(name);
    else Deno.env.set(name, previous);
  }
}

Deno.test({
  name:
    "cacheDir follows XDG_CACHE_HOME, else ~/.cache, and rejects a relative XDG_CACHE_HOME",
  ignore: Deno.build.os === "windows" || Deno.build.os === "darwin",
  fn() {
    withEnv(
      "XDG_CACHE_HOME",
      "/somewhere/cache",
      () => assert.equal(cacheDir(), "/somewhere/cache/lima"),
    );
    withEnv(
      "XDG_CACHE_HOME",
      undefined,
      () => assert.equal(cacheDir(), join(homedir(), ".cache", "lima")),
    );
    withEnv(
      "XDG_CACHE_HOME",
      "relative/cache",
      () => assert.throws(() => cacheDir(), /XDG_CACHE_HOME/),
    );
  },
});

Deno.test("cacheEntryDir is keyed by the SHA-256 of the URL string", () => {
  const url = "https://example.com/images/a.qcow2";
  const key = createHash("sha256").update(url).digest("hex");
  assert.equal(
    cacheEntryDir(url, "/c"),
    join("/c", "download", "by-url-sha256", key),
  );
  assert.notEqual(cacheEntryDir(url + "?x", "/c"), cacheEntryDir(url, "/c"));
});
