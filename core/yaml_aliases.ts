/**
 * Alias resolution for user YAML with a bound on alias expansion, so that a "billion laughs"
 * document fails at once instead of taking minutes and gigabytes to read.
 */
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isNode,
  isSeq,
  type Node,
  visit,
} from "yaml";

/** Why a document with excessive aliasing is refused (go-yaml's words). */
export const EXCESSIVE_ALIASING = "document contains excessive aliasing";

/** Resolves an alias node to the node its anchor names (undefined for an unknown anchor). */
export type AliasResolver = (alias: Alias) => Node | undefined;

/**
 * The share of nodes that may come from aliases, by the number of nodes after expansion:
 * go-yaml v3's rule (`allowedAliasRatio`, the decoder Lima reads lima.yaml with).
 */
function allowedAliasRatio(expanded: number): number {
  const low = 400_000, high = 4_000_000;
  if (expanded <= low) return 0.99;
  if (expanded >= high) return 0.10;
  return 0.99 - 0.89 * ((expanded - low) / (high - low));
}

/** Whether a document of REAL nodes that expands to EXPANDED nodes has too many from aliases. */
function excessive(real: number, expanded: number): boolean {
  if (!Number.isFinite(expanded)) return true;
  const aliased = expanded - real;
  return aliased > 100 && expanded > 1000 &&
    aliased / expanded > allowedAliasRatio(expanded);
}

/**
 * Resolves every alias of DOC in one pass (the `yaml` package's `Alias.resolve` walks the
 * whole document for each alias) and counts what expanding them would produce. Returns the
 * resolver, or undefined when the document contains excessive aliasing (an alias to
 * itself included).
 */
export function resolveAliases(doc: Document): AliasResolver | undefined {
  const targets = new Map<Alias, Node>();
  const anchors = new Map<string, Node>();
  let real = 0;
  visit(doc, {
    Node(_key, node) {
      real++;
      // An alias names the last node carrying its anchor before it, as in the `yaml` package.
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) targets.set(node, target);
      } else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  const sizes = new Map<Node, number>();
  const size = (node: unknown): number => {
    if (!isNode(node)) return 0;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    // A node whose expansion reaches itself never ends.
    sizes.set(node, Infinity);
    let total = 1;
    if (isAlias(node)) {
      const target = targets.get(node);
      total = target ? size(target) : 1;
    } else if (isMap(node)) {
      for (const pair of node.items) total += size(pair.key) + size(pair.value);
    } else if (isSeq(node)) {
      for (const item of node.items) total += size(item);
    }
    sizes.set(node, total);
    return total;
  };
  if (excessive(real, size(doc.contents))) return undefined;
  return (alias) => targets.get(alias);
}
