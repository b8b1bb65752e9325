/** Template text as a comment-preserving YAML document: parsing, rendering and field access. */
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  YAMLMap,
} from "yaml";
import { LimaError } from "../errors.ts";
import {
  EXCESSIVE_ALIASING,
  parseBounded,
  resolveAliases,
} from "../yaml_aliases.ts";

/** Parses template text; the document must be a mapping (or empty). */
export function parseTemplate(text: string, locator: string): Document {
  const doc = parseBounded(text);
  const problem = doc.errors[0];
  if (problem) {
    throw new LimaError({
      summary: `failed to unmarshal YAML (${locator})`,
      detail: problem.message,
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new LimaError({
      summary: `failed to unmarshal YAML (${locator})`,
      detail: "the template must be a YAML mapping",
    });
  }
  if (!resolveAliases(doc)) {
    throw new LimaError({
      summary: `failed to unmarshal YAML (${locator})`,
      detail: EXCESSIVE_ALIASING,
    });
  }
  return doc;
}

/**
 * Whether the text indents block sequences under their key (`key:\n  - item`); Lima's
 * templates do not, and rewritten documents keep the style of the text they came from.
 */
function indentsSequences(text: string): boolean {
  const match =
    /^( *)[^\s#-][^\n]*:[ \t]*(#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*( *)- /m
      .exec(text);
  return match !== null && match[3].length > match[1].length;
}

/** Renders a document the way it was written (sequence indentation, flow style), ending in one newline. */
export function renderTemplate(doc: Document, styleOf: string): string {
  const text = doc.toString({
    lineWidth: 0,
    indentSeq: indentsSequences(styleOf),
    flowCollectionPadding: false,
  });
  return text.replace(/\n*$/, "\n");
}

/** The top-level mapping of a template document, created when the document is empty. */
export function rootMap(doc: Document): YAMLMap {
  if (!isMap(doc.contents)) doc.contents = new YAMLMap() as typeof doc.contents;
  return doc.contents as YAMLMap;
}

/** The text of a scalar key or value node. */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) {
    return undefined;
  }
  return String(node.value);
}

/** The pair with key KEY in a mapping. */
export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((pair) => scalarText(pair.key) === key);
}

/** The value node of KEY in a mapping. */
export function field(map: unknown, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const value = findPair(map, key)?.value;
  return value === null ? undefined : value as Node | undefined;
}

/** Whether a node is unset: missing or YAML null. */
export function isUnset(node: unknown): boolean {
  return node === undefined || node === null ||
    (isScalar(node) && node.value === null);
}

/** A locator with an optional digest, as written in `base:` or `file:` (string or `{url, digest}`). */
export interface LocatorRef {
  url: string;
  digest?: string;
  /** The node holding the URL string, to rewrite it in place. */
  urlNode: Node;
}

/** Reads a locator field (a string, or a `{url, digest}` mapping); PATH names it in errors. */
export function locatorRef(
  node: Node,
  path: string,
  locator: string,
): LocatorRef {
  if (isScalar(node) && typeof node.value === "string") {
    return { url: node.value, urlNode: node };
  }
  if (isMap(node)) {
    const urlNode = field(node, "url");
    const url = scalarText(urlNode);
    if (urlNode && url !== undefined) {
      return { url, digest: scalarText(field(node, "digest")), urlNode };
    }
  }
  throw new LimaError({
    summary:
      `field \`${path}\` must be a locator string or a {url, digest} object`,
    file: locator,
  });
}

/** The entries of `base:` (a string, a `{url, digest}` object, or a list of either). */
export function baseRefs(doc: Document, locator: string): LocatorRef[] {
  const base = field(doc.contents, "base");
  if (isUnset(base)) return [];
  if (isSeq(base)) {
    return (base.items as Node[]).map((item, i) =>
      locatorRef(item, `base[${i}]`, locator)
    );
  }
  return [locatorRef(base!, "base", locator)];
}

/** The `file:` references of `provision` or `probes` entries, by index. */
export function fileRefs(
  doc: Document,
  list: "provision" | "probes",
  locator: string,
): { index: number; entry: YAMLMap; ref: LocatorRef }[] {
  const seq = field(doc.contents, list);
  if (!isSeq(seq)) return [];
  const refs: { index: number; entry: YAMLMap; ref: LocatorRef }[] = [];
  (seq.items as Node[]).forEach((entry, index) => {
    const file = field(entry, "file");
    if (isMap(entry) && !isUnset(file)) {
      refs.push({
        index,
        entry,
        ref: locatorRef(file!, `${list}[${index}].file`, locator),
      });
    }
  });
  return refs;
}
