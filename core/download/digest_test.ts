import assert from "node:assert/strict";
import { formatDigest, Hasher, parseDigest } from "./digest.ts";

Deno.test("parseDigest accepts sha256/sha384/sha512 and explains what is wrong otherwise", () => {
  const hex = "a".repeat(64);
  assert.deepEqual(parseDigest(`sha256:${hex}`), { algorithm: "sha256", hex });
  assert.equal(
    formatDigest(parseDigest(`sha512:${"b".repeat(128)}`)),
    `sha512:${"b".repeat(128)}`,
  );
  assert.throws(() => parseDigest(hex), /expected ALGORITHM:HEX/);
  assert.throws(
    () => parseDigest(`md5:${"a".repeat(32)}`),
    /unsupported digest algorithm "md5"/,
  );
  assert.throws(
    () => parseDigest(`sha256:${"a".repeat(63)}`),
    /must be 64 lower-case hex/,
  );
  assert.throws(
    () => parseDigest(`sha256:${"A".repeat(64)}`),
    /lower-case hex/,
  );
});

Deno.test("Hasher gives the digest of everything it was fed", () => {
  const h = new Hasher("sha256");
  h.update(new TextEncoder().encode("hello "));
  h.update(new TextEncoder().encode("world"));
  assert.equal(
    h.digest().hex,
    "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
  );
});
