/** `provision[i].file` / `probes[i].file`: must already be embedded when validating. */
import type { FileRef } from "../schema.ts";
import type { Check } from "./check.ts";
import { field } from "./messages.ts";

/** EMBED_INTO names the field the file's text should have been embedded into. */
export function checkFileRef(
  { fail }: Check,
  path: string,
  file: FileRef | null | undefined,
  embedInto: string,
): void {
  if (file == null) return;
  const ref = typeof file === "string"
    ? { url: file, digest: undefined }
    : file;
  if (ref.url) {
    fail(
      `${path}.file.url`,
      `${
        field(`${path}.file.url`)
      } must be empty during validation (${embedInto} should already be embedded)`,
    );
  }
  if (ref.digest) {
    fail(
      `${path}.file.digest`,
      `${field(`${path}.file.digest`)} support is not yet implemented`,
    );
  }
}
