/** JSON text as Go's `encoding/json` writes it, which Lima's MCP server uses for its output. */

const ESCAPED: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * VALUE as JSON, indented by INDENT when given (`json.MarshalIndent`). Go escapes `<`, `>`, `&`
 * and the JS line terminators; they can only occur inside strings, so replacing them in the
 * text is safe.
 */
export function goJSON(value: unknown, indent?: string): string {
  return JSON.stringify(value, null, indent).replace(
    /[<>&\u2028\u2029]/g,
    (c) => ESCAPED[c],
  );
}
