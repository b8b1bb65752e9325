/**
 * Merging one `base:` template into the template that names it (Lima's `pkg/limatmpl/embed.go`),
 * on YAML documents so that comments and layout survive.
 */
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type Scalar,
  YAMLMap,
  YAMLSeq,
} from "yaml";
import { compareVersions } from "../config/semver.ts";
import { field, findPair, isUnset, rootMap, scalarText } from "./document.ts";

/** Top-level lists whose entries from the base go first (base scripts run before the template's). */
const PREPENDED = new Set(["base", "provision", "probes"]);

/** Copies the head and line comments of a key from SRC when DST has none. */
function adoptComments(dst: Pair, src: Pair): void {
  const dk = dst.key as Scalar, sk = src.key as Scalar;
  if (isScalar(dk) && isScalar(sk) && !dk.commentBefore && sk.commentBefore) {
    dk.commentBefore = sk.commentBefore;
  }
  const dv = dst.value as Node | null, sv = src.value as Node | null;
  if (
    dv && sv && !dv.commentBefore && sv.commentBefore &&
    (isSeq(dv) || isMap(dv))
  ) {
    dv.commentBefore = sv.commentBefore;
  }
}

/**
 * Keeps the higher version of a version field found at PATH in both mappings; a value
 * that is not semver cannot be ranked, so A's own value stays (validation reports it).
 */
function keepHigherVersion(a: YAMLMap, b: YAMLMap, path: string[]): void {
  const parent = (m: YAMLMap) => {
    let node: unknown = m;
    for (const key of path.slice(0, -1)) node = field(node, key);
    return isMap(node) ? node : undefined;
  };
  const pa = parent(a), pb = parent(b);
  const key = path[path.length - 1];
  const da = pa && findPair(pa, key), db = pb && findPair(pb, key);
  const va = scalarText(da?.value), vb = scalarText(db?.value);
  if (!da || !db || va === undefined || vb === undefined) return;
  if ((compareVersions(vb, va) ?? 0) > 0) {
    da.value = db.value;
    (da.key as Scalar).commentBefore = (db.key as Scalar).commentBefore;
  }
}

/** Removes the base entry being merged: the first list entry, or the whole single-entry field. */
function dropFirstBase(a: YAMLMap): void {
  const base = findPair(a, "base");
  if (!base) return;
  if (isSeq(base.value) && base.value.items.length > 1) {
    base.value.items.shift();
  } else {
    a.delete(base.key);
  }
}

function mergeMaps(a: YAMLMap, b: YAMLMap, topLevel: boolean): void {
  for (const pair of b.items as Pair[]) {
    const key = scalarText(pair.key);
    const existing = key === undefined ? undefined : findPair(a, key);
    if (!existing) {
      a.items.push(pair);
      continue;
    }
    const av = existing.value, bv = pair.value;
    if (isMap(av) && isMap(bv)) {
      adoptComments(existing, pair);
      mergeMaps(av, bv, false);
    } else if (isSeq(av) && isSeq(bv)) {
      adoptComments(existing, pair);
      av.items = topLevel && PREPENDED.has(key!)
        ? [...bv.items, ...av.items]
        : [...av.items, ...bv.items];
    }
  }
}

function uniqueMountTypes(a: YAMLMap): void {
  const list = field(a, "mountTypesUnsupported");
  if (!isSeq(list)) return;
  const seen = new Set<string>();
  list.items = (list.items as Node[]).filter((item) => {
    const text = scalarText(item);
    if (text === undefined) return true;
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}

/**
 * Merges base document B into A (which lists B as its first base): fields missing in A
 * are taken from B, lists are concatenated (A's entries first, except `base`, `provision`
 * and `probes`), B's `dns` only counts when A has none, `mountTypesUnsupported` is
 * de-duplicated and version minimums keep the higher value. B's nodes move into A.
 */
export function mergeBaseDocument(a: Document, b: Document): void {
  const am = rootMap(a);
  const bm = isMap(b.contents) ? b.contents as YAMLMap : new YAMLMap();
  dropFirstBase(am);

  const aBase = field(am, "base"), bBase = findPair(bm, "base");
  if (isSeq(aBase) && bBase && !isUnset(bBase.value) && !isSeq(bBase.value)) {
    const seq = new YAMLSeq();
    seq.items.push(bBase.value);
    bBase.value = seq;
  }
  const aDNS = field(am, "dns");
  if (isSeq(aDNS) && aDNS.items.length > 0) bm.delete("dns");

  keepHigherVersion(am, bm, ["minimumLimaVersion"]);
  keepHigherVersion(am, bm, ["vmOpts", "qemu", "minimumVersion"]);

  // The base's header describes what the base provides: it goes with the first field
  // taken from it. Its closing comments are kept at the end.
  const firstNew = (bm.items as Pair[]).find((p) =>
    !findPair(am, scalarText(p.key) ?? "")
  );
  if (b.commentBefore && firstNew && isScalar(firstNew.key)) {
    const own = firstNew.key.commentBefore;
    firstNew.key.commentBefore = own
      ? `${b.commentBefore}\n\n${own}`
      : b.commentBefore;
    firstNew.key.spaceBefore = true;
  }
  if (b.comment) {
    a.comment = a.comment ? `${a.comment}\n\n${b.comment}` : b.comment;
  }
  mergeMaps(am, bm, true);
  uniqueMountTypes(am);
}
