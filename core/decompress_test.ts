import assert from "node:assert/strict";
import { compressionFromMagic, compressionFromName } from "./decompress.ts";

Deno.test("compression is known from the extension, ignoring case", () => {
  assert.equal(compressionFromName("/images/a.raw.xz"), "xz");
  assert.equal(compressionFromName("a.img.GZ"), "gzip");
  assert.equal(compressionFromName("a.bz2"), "bzip2");
  assert.equal(compressionFromName("a.zst"), "zstd");
  assert.equal(compressionFromName("a.qcow2"), undefined);
  assert.equal(compressionFromName("xz"), undefined);
});

Deno.test("compression is known from magic bytes", () => {
  assert.equal(compressionFromMagic(new Uint8Array([0x1f, 0x8b, 8])), "gzip");
  assert.equal(
    compressionFromMagic(new TextEncoder().encode("BZh91AY")),
    "bzip2",
  );
  assert.equal(
    compressionFromMagic(new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0])),
    "xz",
  );
  assert.equal(
    compressionFromMagic(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd])),
    "zstd",
  );
  assert.equal(
    compressionFromMagic(new TextEncoder().encode("QFI\xfb")),
    undefined,
  );
  assert.equal(compressionFromMagic(new Uint8Array([0x1f])), undefined);
});
