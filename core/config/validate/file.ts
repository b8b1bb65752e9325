/** A downloadable file (image, kernel, firmware, archive): location, arch and digest. */
import { quote } from "../../quote.ts";
import { ARCHS, type File } from "../schema.ts";
import type { Check } from "./check.ts";
import { digestProblem } from "./digest.ts";
import { field, list } from "./messages.ts";

export function checkFile({ fail }: Check, path: string, f: File): void {
  const location = f.location ?? "";
  if (location === "") {
    fail(`${path}.location`, `${field(`${path}.location`)} must be set`);
  } else if (
    !location.includes("://") && location.startsWith("~") &&
    !/^~(\/|$)/.test(location)
  ) {
    fail(
      `${path}.location`,
      `${field(`${path}.location`)} refers to an invalid local file path: ${
        quote(location)
      }: only \`~\` and \`~/…\` can be expanded`,
    );
  }
  const arch = f.arch ?? "";
  if (!(ARCHS as readonly string[]).includes(arch)) {
    fail(
      `${path}.arch`,
      `${field(`${path}.arch`)} must be one of ${list(ARCHS)}; got ${
        quote(arch)
      }`,
    );
  }
  const problem = f.digest ? digestProblem(f.digest) : undefined;
  if (problem) {
    fail(
      `${path}.digest`,
      `${field(`${path}.digest`)} is invalid: ${f.digest}: ${problem}`,
    );
  }
}
