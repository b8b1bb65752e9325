/** `copyToHost`: both ends are absolute paths. */
import { isAbsolute, posix } from "node:path";
import { quote } from "../../quote.ts";
import type { Check } from "./check.ts";
import { field } from "./messages.ts";

export function checkCopyToHost({ y, fail }: Check): void {
  y.copyToHost?.forEach((rule, i) => {
    // Lima's messages name the Go field `CopyToHost`.
    const path = `CopyToHost[${i}]`;
    const ends = [
      ["guest", rule.guest, posix.isAbsolute],
      ["host", rule.host, isAbsolute],
    ] as const;
    for (const [end, value, absolute] of ends) {
      if (value && !absolute(value)) {
        fail(
          `${path}.${end}`,
          `${field(`${path}.${end}`)} must be an absolute path, but is ${
            quote(value)
          }`,
        );
      }
    }
  });
}
