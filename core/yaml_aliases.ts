/**
 * Reading untrusted YAML with bounded cost: alias expansion is limited so that a "billion
 * laughs" document fails at once, nesting is limited before any recursive code sees the
 * document, and duplicate keys are found in linear time.
 */
import {
  type Alias,
  Document,
  type DocumentOptions,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node,
  parseDocument,
  type ParseOptions,
  type SchemaOptions,
  visit,
  YAMLParseError,
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

/**
 * The deepest nesting of collections accepted. Lima's files nest a few levels; the `yaml`
 * package and our converters recurse per level and overflow the stack after a few hundred.
 */
export const MAX_NESTING = 100;

/** Tokens the `yaml` lexer yields that are not source text. */
const SYNTHETIC = new Set(["\x02", "\x18", "\x1f"]);

/**
 * The offset where TEXT first nests collections deeper than MAX_NESTING, or undefined.
 * Flow collections count brackets; a block line counts its indicators (`-`, `?`, `:`) on top
 * of the nearest earlier line indented less. The lexer is linear and stops at the first
 * offending token, unlike the `yaml` parser, which slows down with depth.
 */
function tooDeepAt(text: string): number | undefined {
  const lines: { indent: number; depth: number }[] = [];
  let current = { indent: 0, depth: 0 };
  let flow = 0, offset = 0, indent = 0, lineStart = true;
  for (const token of new Lexer().lex(text)) {
    if (SYNTHETIC.has(token)) continue;
    const at = offset;
    offset += token.length;
    if (token === "---") lines.length = 0;
    if (token === "\n" || token === "\r\n" || token.endsWith("\n")) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (flow === 0 && lineStart) {
      if (token.trim() === "") {
        indent = token.length;
        continue;
      }
      if (token.startsWith("#")) continue;
      while (lines.length > 0 && lines[lines.length - 1].indent >= indent) {
        lines.pop();
      }
      current = { indent, depth: lines[lines.length - 1]?.depth ?? 0 };
      lines.push(current);
      lineStart = false;
    }
    if (token === "[" || token === "{") flow++;
    else if (token === "]" || token === "}") flow = Math.max(0, flow - 1);
    else if (flow === 0 && (token === "-" || token === "?" || token === ":")) {
      current.depth++;
    } else continue;
    if (current.depth + flow > MAX_NESTING) return at;
  }
  return undefined;
}

/** The error for TEXT when it nests collections deeper than MAX_NESTING, naming the line. */
export function nestingError(text: string): YAMLParseError | undefined {
  const deep = tooDeepAt(text);
  if (deep === undefined) return undefined;
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) {
    lines.addNewLine(i + 1);
  }
  return errorAt(
    lines,
    deep,
    "RESOURCE_EXHAUSTION",
    `collections are nested more than ${MAX_NESTING} levels deep`,
  );
}

/** Options for {@link parseBounded}; `uniqueKeys` is always checked, in linear time. */
export type BoundedOptions =
  & Omit<ParseOptions & DocumentOptions & SchemaOptions, "uniqueKeys">
  & { lineCounter?: LineCounter };

function errorAt(
  lineCounter: LineCounter,
  offset: number,
  code: "DUPLICATE_KEY" | "RESOURCE_EXHAUSTION",
  message: string,
): YAMLParseError {
  const pos = lineCounter.linePos(offset);
  const error = new YAMLParseError(
    [offset, offset + 1],
    code,
    `${message} at line ${pos.line}, column ${pos.col}`,
  );
  error.linePos = [pos];
  return error;
}

/**
 * Parses one YAML document like `parseDocument` with `uniqueKeys`, in time linear in its size:
 * a document nested deeper than MAX_NESTING is not composed at all (an empty document with
 * that error), and duplicate keys are found with a set per mapping (the `yaml` package
 * compares each key with every earlier one). Problems are in `errors`, as from `yaml`.
 */
export function parseBounded(
  text: string,
  options: BoundedOptions = {},
): Document {
  const deep = nestingError(text);
  if (deep) {
    const doc = new Document();
    doc.errors.push(deep);
    return doc;
  }
  const lineCounter = options.lineCounter ?? new LineCounter();
  const doc = parseDocument(text, {
    ...options,
    lineCounter,
    uniqueKeys: false,
  });
  if (doc.errors.length > 0) return doc;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        // The `yaml` package's rule: scalar keys are equal when their values are.
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) {
          doc.errors.push(
            errorAt(
              lineCounter,
              pair.key.range?.[0] ?? 0,
              "DUPLICATE_KEY",
              "Map keys must be unique",
            ),
          );
        }
        seen.add(pair.key.value);
      }
    },
  });
  return doc;
}
