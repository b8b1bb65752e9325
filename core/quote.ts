/**
 * Quotes a name the way Lima's messages do (Go's `%#q`): wrapped in backticks
 * unless the value contains a backtick or a control character, then in double quotes.
 */
export function quote(value: string): string {
  // deno-lint-ignore no-control-regex
  if (!/[`\x00-\x1f\x7f]/.test(value)) return `\`${value}\``;
  return JSON.stringify(value);
}
