import assert from "node:assert/strict";
import type { LimaYAML } from "../config/schema.ts";
import { configureLogger } from "../log.ts";
import { ensureImage } from "./prepare.ts";

Deno.test("an image that cannot be fetched keeps the cause and points at images[].location", async () => {
  const dir = await Deno.makeTempDir();
  const cache = Deno.env.get("XDG_CACHE_HOME");
  Deno.env.set("XDG_CACHE_HOME", `${dir}/cache`);
  configureLogger({ write: () => {} });
  try {
    const config = {
      arch: "x86_64",
      images: [{ location: "http://nosuchhost.invalid/x.img", arch: "x86_64" }],
    } as LimaYAML;
    await assert.rejects(ensureImage(dir, config), (err: Error) => {
      assert.equal(
        err.message,
        'field `images`: failed to download the image: `http://nosuchhost.invalid/x.img`: failed to download "http://nosuchhost.invalid/x.img": lookup nosuchhost.invalid: no such host (hint: check the host\'s network connection and proxy settings, or download the image yourself and set `images[].location` to its local path)',
      );
      return true;
    });
  } finally {
    if (cache === undefined) Deno.env.delete("XDG_CACHE_HOME");
    else Deno.env.set("XDG_CACHE_HOME", cache);
    configureLogger({
      write: (line) =>
        Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
    });
    await Deno.remove(dir, { recursive: true });
  }
});
