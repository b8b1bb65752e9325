/**
 * yq's JSON input (`-p json`, or a `.json` file): a stream of JSON values, one after another,
 * each compact or pretty-printed over many lines, read as one YAML document each.
 */
import { stringify } from "yaml";
import { YqError } from "./lexer.ts";

/** TEXT as a YAML stream with one block-style document per JSON value. */
export function jsonStreamToYaml(text: string): string {
  return splitJsonValues(text).map((value) => {
    try {
      return stringify(JSON.parse(value), { lineWidth: 0 });
    } catch (err) {
      throw new YqError(`invalid JSON: ${(err as Error).message}`);
    }
  }).join("---\n");
}

/** The texts of the top-level values of a JSON stream (not yet checked to be JSON). */
export function splitJsonValues(text: string): string[] {
  const values: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    const end = valueEnd(text, i);
    values.push(text.slice(i, end));
    i = end;
  }
  return values;
}

/** Where the value starting at START ends: brackets are matched outside strings. */
function valueEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return i + 1;
      }
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth <= 0) return i + 1;
    } else if (depth === 0 && /[\s{["]/.test(c) && i > start) return i;
  }
  return text.length;
}
