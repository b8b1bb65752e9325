/**
 * Embedding `file:` references of `provision` and `probes` entries (Lima's
 * `pkg/limatmpl/embed.go`): the referenced text replaces the reference as `script`, `content`
 * (data) or `expression` (yq).
 */
import { Buffer } from "node:buffer";
import {
  type Document,
  isMap,
  isScalar,
  type Pair,
  Scalar,
  type YAMLMap,
} from "yaml";
import { logger } from "../log.ts";
import { field, fileRefs, findPair, isUnset, scalarText } from "./document.ts";
import { readLocatorBytes, templateName } from "./locator.ts";

/** Lines this long or longer are stored base64-encoded (YAML formatters choke on them). */
export const MAX_LINE_LENGTH = 65000;
/** Width of the base64 lines of an encoded file. */
const BASE64_LINE = 76;

/** Go's notion of a printable character: letters, marks, numbers, punctuation, symbols, ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} \n\r\t]$/u;

/** Why a file cannot be embedded as plain text, or undefined when it can. */
export function binaryReason(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return "it is not valid UTF-8 text";
  }
  let offset = 0, lineStart = 0, line = 1;
  for (const char of text) {
    if (!PRINTABLE.test(char)) {
      return `unprintable character ${
        JSON.stringify(char)
      } at offset ${offset}`;
    }
    if (offset - lineStart >= MAX_LINE_LENGTH) {
      return `line ${line} (offset ${lineStart}) is longer than ${MAX_LINE_LENGTH} characters`;
    }
    offset += new TextEncoder().encode(char).length;
    if (char === "\n") {
      line++;
      lineStart = offset;
    }
  }
  return undefined;
}

/** Base64 in lines of 76 characters (each ending in a newline when there is more than one). */
export function base64Lines(bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes).toString("base64");
  if (encoded.length <= BASE64_LINE) return encoded;
  let out = "";
  for (let i = 0; i < encoded.length; i += BASE64_LINE) {
    out += encoded.slice(i, i + BASE64_LINE) + "\n";
  }
  return out;
}

/** The field a provision entry's file becomes, or undefined when the entry already has it. */
function targetField(
  list: "provision" | "probes",
  entry: YAMLMap,
): string | undefined {
  const mode = list === "provision"
    ? scalarText(field(entry, "mode"))
    : undefined;
  const name = mode === "data"
    ? "content"
    : mode === "yq"
    ? "expression"
    : "script";
  const current = field(entry, name);
  if (name === "script") {
    return (scalarText(current) ?? "") === "" ? name : undefined;
  }
  return isUnset(current) ? name : undefined;
}

function replaceFile(
  entry: YAMLMap,
  name: string,
  bytes: Uint8Array,
  url: string,
): void {
  const reason = binaryReason(bytes);
  let value: Scalar;
  if (reason === undefined) {
    value = new Scalar(new TextDecoder().decode(bytes));
    value.type = "BLOCK_LITERAL";
  } else {
    logger.info(
      `File ${JSON.stringify(url)} is being base64 encoded: ${reason}`,
    );
    value = new Scalar(base64Lines(bytes));
    value.type = "BLOCK_LITERAL";
    value.tag = "tag:yaml.org,2002:binary";
  }
  const stale = findPair(entry, name);
  if (stale) entry.delete(stale.key);
  const pair = findPair(entry, "file") as Pair;
  const key = isScalar(pair.key) ? pair.key : new Scalar("file");
  key.value = name;
  pair.key = key;
  value.comment = (pair.value as Scalar | null)?.comment;
  pair.value = value;
}

/**
 * Replaces the `file:` references of the template's provision and probe entries by their
 * content (`template:` references only when EMBEDALL); returns whether anything changed.
 */
export async function embedScripts(
  doc: Document,
  locator: string,
  embedAll: boolean,
): Promise<boolean> {
  let changed = false;
  for (const list of ["probes", "provision"] as const) {
    for (const { index, entry, ref } of fileRefs(doc, list, locator)) {
      if (!isMap(entry)) continue;
      const name = targetField(list, entry);
      if (name === undefined) continue;
      if (!embedAll && templateName(ref.url) !== undefined) continue;
      const bytes = await readLocatorBytes(ref.url, `${list}[${index}].file`);
      replaceFile(entry, name, bytes, ref.url);
      changed = true;
    }
  }
  return changed;
}
