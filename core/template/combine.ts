/**
 * After all bases are merged, list entries that share a key are combined (`combineListEntries` in
 * Lima's `pkg/limatmpl/embed.go`): `additionalDisks` by name, `mounts` by mount point (default:
 * location), `networks` by interface. A later entry only fills fields the earlier one leaves unset
 * and is then removed; an entry whose key is `*` is a default for every entry before it.
 */
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  Scalar,
  YAMLMap,
} from "yaml";
import { field, findPair, isUnset, scalarText } from "./document.ts";

/** How the entries of one list are keyed and which fields may be inherited. */
interface ListRule {
  list: string;
  key: (entry: Node) => string;
  /** Dotted field paths, copied when unset in the earlier entry. */
  fields: string[];
  /** Sub-mappings whose key comments are carried over with the entry's own. */
  sections: string[];
  /** Lets a rule veto a field (networks: `lima` and `socket` exclude each other). */
  allowed?: (dest: Node, path: string) => boolean;
  /** Whether an empty string counts as unset (plain string fields rather than optional ones). */
  emptyIsUnset?: boolean;
}

const text = (node: unknown, key: string) => scalarText(field(node, key)) ?? "";

function lookup(node: unknown, path: string): Node | undefined {
  let current: unknown = node;
  for (const key of path.split(".")) current = field(current, key);
  return current as Node | undefined;
}

const RULES: ListRule[] = [
  {
    list: "additionalDisks",
    key: (entry) =>
      isScalar(entry) ? scalarText(entry) ?? "" : text(entry, "name"),
    fields: ["format", "fsType", "fsArgs"],
    sections: [],
  },
  {
    list: "mounts",
    key: (entry) =>
      isUnset(field(entry, "mountPoint"))
        ? text(entry, "location")
        : text(entry, "mountPoint"),
    fields: [
      "mountPoint",
      "writable",
      "sshfs.cache",
      "sshfs.followSymlinks",
      "sshfs.sftpDriver",
      "9p.securityModel",
      "9p.protocolVersion",
      "9p.msize",
      "9p.cache",
      "virtiofs.queueSize",
    ],
    sections: ["sshfs", "9p", "virtiofs"],
  },
  {
    list: "networks",
    key: (entry) => text(entry, "interface"),
    fields: ["lima", "socket", "macAddress", "vzNAT", "metric"],
    sections: [],
    emptyIsUnset: true,
    allowed: (dest, path) =>
      (path !== "lima" && path !== "socket") ||
      (text(dest, "lima") === "" && text(dest, "socket") === ""),
  },
];

/** Whether a field counts as set: present, not null, and not an empty list (or string, per rule). */
function isSet(node: Node | undefined, rule: ListRule): boolean {
  if (isUnset(node)) return false;
  if (rule.emptyIsUnset && isScalar(node) && node.value === "") return false;
  if (isSeq(node) && node.items.length === 0) return false;
  return true;
}

/** Turns a bare disk name entry into `{name: …}` so fields can be added. */
function asMap(seq: { items: unknown[] }, index: number): YAMLMap {
  const entry = seq.items[index];
  if (isMap(entry)) return entry;
  const map = new YAMLMap();
  map.set(new Scalar("name"), entry);
  if (isScalar(entry)) {
    map.commentBefore = entry.commentBefore;
    entry.commentBefore = undefined;
  }
  seq.items[index] = map;
  return map;
}

function copyField(dest: YAMLMap, src: Node, path: string): void {
  const keys = path.split(".");
  let target = dest;
  let from: unknown = src;
  for (const key of keys.slice(0, -1)) {
    from = field(from, key);
    let next = field(target, key);
    if (!isMap(next)) {
      next = new YAMLMap();
      target.set(new Scalar(key), next);
    }
    target = next as YAMLMap;
  }
  const last = keys[keys.length - 1];
  const srcPair = isMap(from) ? findPair(from, last) : undefined;
  if (!srcPair) return;
  const existing = findPair(target, last);
  const key = new Scalar(last);
  key.commentBefore = (srcPair.key as Scalar).commentBefore;
  if (existing) {
    existing.key = key;
    existing.value = (srcPair.value as Node).clone();
  } else {
    target.set(key, (srcPair.value as Node).clone());
  }
}

function copyComments(dest: Node, src: Node, sections: string[]): void {
  if (!dest.commentBefore && src.commentBefore) {
    dest.commentBefore = src.commentBefore;
  }
  if (!dest.comment && src.comment) dest.comment = src.comment;
  for (const section of sections) {
    const dp = isMap(dest) ? findPair(dest, section) : undefined;
    const sp = isMap(src) ? findPair(src, section) : undefined;
    if (!dp || !sp) continue;
    const dk = dp.key as Scalar, sk = sp.key as Scalar;
    if (!dk.commentBefore && sk.commentBefore) {
      dk.commentBefore = sk.commentBefore;
    }
  }
}

function combineList(root: YAMLMap, rule: ListRule): boolean {
  const seq = field(root, rule.list);
  if (!isSeq(seq)) return false;
  let changed = false;
  const firstIndex = new Map<string, number>();
  for (let src = 0; src < seq.items.length;) {
    const entry = seq.items[src] as Node;
    const key = rule.key(entry);
    let targets: number[];
    if (key === "*") {
      targets = [...Array(src).keys()];
    } else if (firstIndex.has(key)) {
      targets = [firstIndex.get(key)!];
    } else {
      if (key !== "") firstIndex.set(key, src);
      src++;
      continue;
    }
    for (const dst of targets) {
      for (const path of rule.fields) {
        const value = lookup(entry, path);
        const dest = seq.items[dst] as Node;
        // A wildcard's own key (`mountPoint: "*"`) is what makes it a wildcard, not a default.
        if (key === "*" && path === "mountPoint") continue;
        if (!isSet(value, rule) || isSet(lookup(dest, path), rule)) continue;
        if (rule.allowed && !rule.allowed(dest, path)) continue;
        copyField(asMap(seq, dst), entry, path);
      }
      if (key !== "*") {
        copyComments(seq.items[dst] as Node, entry, rule.sections);
      }
    }
    seq.items.splice(src, 1);
    changed = true;
  }
  return changed;
}

/** Combines keyed list entries in place; returns whether the document changed. */
export function combineListEntries(doc: Document): boolean {
  if (!isMap(doc.contents)) return false;
  let changed = false;
  for (const rule of RULES) {
    if (combineList(doc.contents as YAMLMap, rule)) changed = true;
  }
  return changed;
}
