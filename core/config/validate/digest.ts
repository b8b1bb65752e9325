/** OCI digests (`algorithm:hex`) of downloadable files. */

const DIGEST_LENGTHS: Record<string, number> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

/** Why DIGEST is not an OCI digest, or undefined. */
export function digestProblem(digest: string): string | undefined {
  const at = digest.indexOf(":");
  if (at <= 0) return "invalid checksum digest format";
  const algorithm = digest.slice(0, at);
  const encoded = digest.slice(at + 1);
  if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/.test(algorithm)) {
    return "invalid checksum digest format";
  }
  const length = DIGEST_LENGTHS[algorithm];
  if (length === undefined) return "unsupported digest algorithm";
  if (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded)) {
    return "invalid checksum digest length";
  }
  return undefined;
}
