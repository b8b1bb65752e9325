/** `base` and `minimumLimaVersion`: what a template needs before its fields are checked. */
import { quote } from "../../quote.ts";
import { VERSION } from "../../version.ts";
import { compareVersions, parseSemver } from "../semver.ts";
import type { Check } from "./check.ts";
import { field } from "./messages.ts";

/** `base` must be resolved away before validation. */
export function checkBase({ y, fail }: Check): void {
  const base = y.base;
  if (
    base != null && (!Array.isArray(base) || base.length > 0) && base !== ""
  ) {
    fail("base", "field `base` must be empty for YAML validation");
  }
}

/** `minimumLimaVersion` is a semver this version satisfies. */
export function checkMinimumLimaVersion({ y, fail }: Check): void {
  const minimum = y.minimumLimaVersion;
  if (!minimum) return;
  if (!parseSemver(minimum)) {
    fail(
      "minimumLimaVersion",
      `${
        field("minimumLimaVersion")
      } must be a semver value such as "2.0.0", got ${quote(minimum)}`,
    );
  } else if (compareVersions(VERSION, minimum) === -1) {
    fail(
      "minimumLimaVersion",
      `template requires Lima version ${quote(minimum)}; this is only ${
        quote(VERSION)
      }`,
    );
  }
}
