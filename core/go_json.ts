/**
 * JSON as Go's `encoding/json` writes it (`json.Marshal`, or `json.MarshalIndent` with INDENT):
 * like `JSON.stringify`, except that `<`, `>` and `&` (HTML-safe escaping) and U+2028/U+2029 are
 * written as `\u` escapes. The order of keys is the caller's (Go's is the struct's field order).
 */
export function goJSON(value: unknown, indent?: string): string {
  // These characters can only occur inside strings, where the escape means the same.
  return JSON.stringify(value, null, indent).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
