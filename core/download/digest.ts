/** Expected digests (`sha256:<hex>`, `sha384:<hex>`, `sha512:<hex>`) and incremental hashing. */
import { createHash, type Hash } from "node:crypto";
import { LimaError } from "../errors.ts";

/** Hex lengths of the algorithms Lima accepts (those of the OCI digest package). */
const HEX_LENGTH = { sha256: 64, sha384: 96, sha512: 128 } as const;
export type DigestAlgorithm = keyof typeof HEX_LENGTH;

export interface Digest {
  algorithm: DigestAlgorithm;
  /** Lower-case hex. */
  hex: string;
}

/** Parses `ALGO:HEX`; throws a LimaError naming the value when it is malformed or unsupported. */
export function parseDigest(value: string): Digest {
  const i = value.indexOf(":");
  const algorithm = value.slice(0, i);
  const hex = value.slice(i + 1);
  if (i <= 0 || !hex) {
    throw new LimaError({
      summary: `invalid digest "${value}"`,
      detail: "expected ALGORITHM:HEX",
    });
  }
  if (!Object.hasOwn(HEX_LENGTH, algorithm)) {
    throw new LimaError({
      summary: `invalid digest "${value}"`,
      detail: `unsupported digest algorithm "${algorithm}"`,
      hint: "use sha256, sha384 or sha512",
    });
  }
  const want = HEX_LENGTH[algorithm as DigestAlgorithm];
  if (hex.length !== want || !/^[0-9a-f]+$/.test(hex)) {
    throw new LimaError({
      summary: `invalid digest "${value}"`,
      detail: `the ${algorithm} part must be ${want} lower-case hex characters`,
    });
  }
  return { algorithm: algorithm as DigestAlgorithm, hex };
}

export function formatDigest(d: Digest): string {
  return `${d.algorithm}:${d.hex}`;
}

/** Hashes bytes as they stream by. */
export class Hasher {
  readonly #hash: Hash;
  constructor(readonly algorithm: DigestAlgorithm) {
    this.#hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }
  digest(): Digest {
    return { algorithm: this.algorithm, hex: this.#hash.digest("hex") };
  }
}

/** The error for data that does not hash to the expected digest. */
export function digestMismatch(
  what: string,
  expected: Digest,
  actual: Digest,
): LimaError {
  return new LimaError({
    summary: `${what} does not match the expected digest`,
    detail: `expected digest "${formatDigest(expected)}", got "${
      formatDigest(actual)
    }"`,
  });
}

/** Hashes a whole file with the algorithm of EXPECTED (used for cache entries without a digest record). */
export async function fileDigest(
  path: string,
  algorithm: DigestAlgorithm,
): Promise<Digest> {
  const hasher = new Hasher(algorithm);
  const file = await Deno.open(path);
  for await (const chunk of file.readable) hasher.update(chunk);
  return hasher.digest();
}
