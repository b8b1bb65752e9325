/** `cpus`, `memory`, `disk` and `additionalDisks`. */
import { quote } from "../../quote.ts";
import { identifierProblem } from "../../store/names.ts";
import { parseSize } from "../units.ts";
import type { Check } from "./check.ts";
import { field } from "./messages.ts";

export function checkResources(c: Check): void {
  const { y, fail } = c;
  if (y.cpus == null || y.cpus === 0) fail("cpus", "field `cpus` must be set");
  else if (y.cpus < 0) {
    fail(
      "cpus",
      `${field("cpus")} must be a positive number of CPUs, got ${y.cpus}`,
    );
  }
  for (const key of ["memory", "disk"] as const) checkSize(c, key, y[key]);
  checkAdditionalDisks(c);
}

/** A size such as "4GiB", set and above zero. */
function checkSize({ fail }: Check, key: string, value?: string | null): void {
  if (value == null) {
    fail(key, `${field(key)} must be set`);
    return;
  }
  try {
    if (parseSize(value) === 0) {
      fail(key, `${field(key)} must be greater than 0, got ${quote(value)}`);
    }
  } catch (err) {
    fail(
      key,
      `${field(key)} has an invalid value: ${
        (err as Error).message
      } (expected a size such as "4GiB")`,
    );
  }
}

/** Disk names are identifiers, each used once. */
function checkAdditionalDisks({ y, fail }: Check): void {
  const diskNames = new Map<string, number>();
  y.additionalDisks?.forEach((entry, i) => {
    const name = typeof entry === "string" ? entry : entry.name ?? "";
    const path = `additionalDisks[${i}].name`;
    const problem = identifierProblem(name);
    if (problem) fail(path, `${field(path)} is invalid: ${problem}`);
    const earlier = diskNames.get(name);
    if (earlier !== undefined) {
      fail(
        path,
        `${field(path)} value ${
          quote(name)
        } has already been used by field \`additionalDisks[${earlier}].name\``,
      );
    } else diskNames.set(name, i);
  });
}
