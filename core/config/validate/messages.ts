/** How messages name fields and list allowed values, in Lima's wording. */
import { quote } from "../../quote.ts";

/** `field \`PATH\``. */
export const field = (path: string) => `field \`${path}\``;

/** `[a b c]`, as Go prints a slice. */
export const list = (values: readonly string[]) => `[${values.join(" ")}]`;

/** `"a", "b", "c"`. */
export const quotedList = (values: readonly string[]) =>
  values.map((v) => quote(v)).join(", ");

/** `"a", "b" or "c"`. */
export function orList(values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  const last = quoted.pop();
  return quoted.length > 0 ? `${quoted.join(", ")} or ${last}` : last ?? "";
}
