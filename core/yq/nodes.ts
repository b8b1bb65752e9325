/** Helpers over the `yaml` package's nodes: reading values, building nodes, comparing. */
import {
  Alias,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  Pair,
  Scalar,
  YAMLMap,
  YAMLSeq,
} from "yaml";

/** A value node; `undefined` stands for a missing node (yq's null without a node). */
export type ValueNode = Node | undefined;

/** Follows aliases to the node they point at. */
export function deref(
  node: ValueNode,
  resolve: (alias: Alias) => ValueNode,
): ValueNode {
  let n = node;
  for (let depth = 0; n && isAlias(n) && depth < 100; depth++) n = resolve(n);
  return n;
}

export function isNullNode(node: ValueNode): boolean {
  return node === undefined ||
    (isScalar(node) && (node.value === null || node.value === undefined));
}

/** yq's tag of a node: `!!map`, `!!seq`, `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` or a custom tag. */
export function tagOf(node: ValueNode): string {
  if (node === undefined) return "!!null";
  if (isMap(node)) return "!!map";
  if (isSeq(node)) return "!!seq";
  if (isScalar(node)) {
    if (node.tag && !node.tag.startsWith("tag:yaml.org,2002:")) return node.tag;
    const v = node.value;
    if (v === null || v === undefined) return "!!null";
    if (typeof v === "boolean") return "!!bool";
    if (typeof v === "bigint") return "!!int";
    if (typeof v === "number") {
      const src = node.source;
      if (
        typeof src === "string" && /[.eE]|inf|nan/i.test(src) &&
        !/^0x/i.test(src)
      ) return "!!float";
      if (node.minFractionDigits) return "!!float";
      return Number.isInteger(v) ? "!!int" : "!!float";
    }
    if (typeof v === "string") return "!!str";
    return "!!str";
  }
  return "!!null";
}

/** Converts a node to a plain JS value (maps become objects with string keys). */
export function toJS(
  node: ValueNode,
  resolve: (alias: Alias) => ValueNode,
): unknown {
  const n = deref(node, resolve);
  if (n === undefined) return null;
  if (isScalar(n)) {
    const v = n.value;
    if (v === undefined) return null;
    if (typeof v === "bigint") return Number(v);
    if (v instanceof Uint8Array) return n.source ?? "";
    if (v instanceof Date) return n.source ?? v.toISOString();
    return v;
  }
  if (isSeq(n)) return n.items.map((item) => toJS(item as Node, resolve));
  if (isMap(n)) {
    const out: Record<string, unknown> = {};
    for (const pair of n.items) {
      const key = keyString(pair.key as ValueNode, resolve);
      if (key === "<<") {
        const merged = toJS(pair.value as Node, resolve);
        for (const src of Array.isArray(merged) ? merged : [merged]) {
          if (src && typeof src === "object") {
            for (const [k, v] of Object.entries(src)) {
              if (!(k in out)) out[k] = v;
            }
          }
        }
        continue;
      }
      out[key] = toJS(pair.value as Node, resolve);
    }
    return out;
  }
  return null;
}

/** The string form of a map key. */
export function keyString(
  key: ValueNode,
  resolve: (alias: Alias) => ValueNode,
): string {
  const k = deref(key, resolve);
  if (k === undefined) return "null";
  if (isScalar(k)) return k.value === null ? "null" : String(k.value);
  return JSON.stringify(toJS(k, resolve));
}

/** Builds a fresh node tree (block style, plain scalars) from a plain JS value. */
export function fromJS(value: unknown): Node {
  if (value === null || value === undefined) return new Scalar(null);
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const item of value) seq.items.push(fromJS(item));
    return seq;
  }
  if (typeof value === "object") {
    const map = new YAMLMap();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      map.items.push(new Pair(new Scalar(k), fromJS(v)));
    }
    return map;
  }
  return new Scalar(value);
}

/** Deep copy, so one node never appears twice in a document. */
export function cloneNode(node: ValueNode): Node {
  if (node === undefined) return new Scalar(null);
  return node.clone() as Node;
}

/** Finds the pair of KEY in MAP. */
export function findPair(
  map: YAMLMap,
  key: string,
  resolve: (alias: Alias) => ValueNode,
): Pair | undefined {
  return map.items.find((p) =>
    keyString(p.key as ValueNode, resolve) === key
  ) as Pair | undefined;
}

/** Deep equality of two nodes by value; scalars compare by their text, as yq does (`1 == "1"`). */
export function equalValues(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const scalar = (v: unknown) =>
    v === null || v === undefined || typeof v !== "object";
  if (scalar(a) && scalar(b)) return String(a ?? null) === String(b ?? null);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => equalValues(x, b[i]));
  }
  if (
    a && b && typeof a === "object" && typeof b === "object" &&
    !Array.isArray(a) && !Array.isArray(b)
  ) {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    return ka.length === kb.length &&
      ka.every((k) =>
        equalValues(
          (a as Record<string, unknown>)[k],
          (b as Record<string, unknown>)[k],
        )
      );
  }
  return false;
}

const TYPE_ORDER = ["null", "boolean", "number", "string", "array", "object"];
function typeRank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (Array.isArray(v)) return 4;
  return TYPE_ORDER.indexOf(typeof v);
}

/** Total order used by `sort`, `sort_by`, `min`, `max` (null < bool < number < string < seq < map). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "boolean" && typeof b === "boolean") {
    return Number(a) - Number(b);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return JSON.stringify(a) < JSON.stringify(b)
    ? -1
    : JSON.stringify(a) > JSON.stringify(b)
    ? 1
    : 0;
}

/** Moves the comments of a node being replaced onto its replacement, unless it has its own. */
export function carryComments(
  from: ValueNode,
  to: Node,
  options: { filling?: boolean } = {},
): void {
  if (!from || isAlias(from)) return;
  // An empty collection is written inline (`key: []`), where a comment can only follow it;
  // one about to be filled (auto-created paths) is not.
  const inline = !options.filling && (isSeq(to) || isMap(to)) &&
    to.items.length === 0;
  if (inline) (to as YAMLSeq | YAMLMap).flow = true;
  if (from.commentBefore && inline && !to.comment) {
    to.comment = from.commentBefore;
  } else if (from.commentBefore && !to.commentBefore) {
    to.commentBefore = from.commentBefore;
  }
  if (from.spaceBefore && !to.spaceBefore) to.spaceBefore = from.spaceBefore;
  if (from.comment && !to.comment) to.comment = from.comment;
}

export {
  Alias,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Pair,
  Scalar,
  YAMLMap,
  YAMLSeq,
};
export type { Node };
