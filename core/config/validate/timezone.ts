/** `timezone`: a zone name such as "Europe/Berlin". */
import { quote } from "../../quote.ts";
import type { Check } from "./check.ts";
import { field } from "./messages.ts";

export function checkTimezone({ y, fail }: Check): void {
  if (y.timezone && !/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(y.timezone)) {
    fail(
      "timezone",
      `${
        field("timezone")
      } must be a zone name such as "Europe/Berlin" or "", got ${
        quote(y.timezone)
      }`,
    );
  }
}
