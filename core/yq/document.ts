/** Reading YAML streams for evaluation and writing results back as text. */
import {
  type Document,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseAllDocuments,
  visit,
  type YAMLMap,
} from "yaml";
import {
  type AliasResolver,
  EXCESSIVE_ALIASING,
  nestingError,
  resolveAliases,
} from "../yaml_aliases.ts";
import { YqError } from "./lexer.ts";

export interface ParsedStream {
  docs: Document[];
  /** The anchors the aliases of the documents named when they were read. */
  aliases: AliasResolver[];
}

/**
 * Parses a YAML stream (an empty text is one null document); throws YqError on syntax errors,
 * on excessive aliasing and on nesting the evaluator could not recurse through.
 */
export function parseStream(text: string): ParsedStream {
  const deep = nestingError(text);
  if (deep) throw new YqError(deep.message);
  const parsed = parseAllDocuments(text, {
    prettyErrors: true,
    uniqueKeys: false,
  });
  const docs = Array.isArray(parsed) ? parsed as Document[] : [];
  const aliases: AliasResolver[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new YqError(err.message.split("\n")[0]);
    const resolve = resolveAliases(doc);
    if (!resolve) throw new YqError(EXCESSIVE_ALIASING);
    aliases.push(resolve);
    relocateDanglingComments(doc, text);
    markLineComments(doc);
  }
  if (docs.length === 0) {
    const empty = parseAllDocuments("null") as Document[];
    empty[0].contents = null;
    return { docs: empty, aliases };
  }
  return { docs, aliases };
}

/**
 * A comment line standing for an extra blank line: the serializer keeps only one blank
 * line before a comment, so extra ones travel as marked comment lines and are blanked on output.
 */
const BLANK_LINE = "\u0001\n";

/** Prefix of comments that end a line of content; written with two spaces before the `#`. */
export const LINE_COMMENT = "\u0002";

function markLineComments(doc: Document): void {
  visit(doc, {
    Node(_key, node) {
      const inline = isScalar(node) || (isCollection(node) && node.flow);
      if (
        inline && node.comment && !node.comment.includes("\n") &&
        !node.comment.startsWith(LINE_COMMENT)
      ) {
        node.comment = LINE_COMMENT + node.comment;
      }
    },
  });
}

export interface WriteOptions {
  indent?: number;
}

/** Serialises a document with indentless sequences, no line folding and compact flow collections. */
export function documentText(
  doc: Document,
  options: WriteOptions = {},
): string {
  if (doc.contents === null) return "";
  const text = doc.toString({
    indent: options.indent && options.indent > 0 ? options.indent : 2,
    indentSeq: false,
    lineWidth: 0,
    minContentWidth: 0,
    flowCollectionPadding: false,
  });
  // The markers are control characters, which never appear unescaped in serialised YAML.
  // deno-lint-ignore no-control-regex
  const blankLine = /^[ \t]*#\u0001$/gm;
  return text.replace(blankLine, "").replaceAll(` #${LINE_COMMENT}`, "  #")
    .replaceAll(`#${LINE_COMMENT}`, "#");
}

/** Joins serialised documents into one stream, separating them with `---`. */
export function joinDocuments(texts: string[]): string {
  return texts.map((t, i) => (i === 0 || t.startsWith("---") ? t : `---\n${t}`))
    .join("");
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

interface Level {
  map: YAMLMap;
  col: number;
  /** Index of the pair (in `map`) whose value leads to the next level. */
  index: number;
}

/**
 * A key with no value followed by comment lines (`certs:` then `# - ...`) is read by the
 * parser as if the first comment followed the key on its line, and for the last key of a
 * block the comments of the following outer block are swallowed too. Put each comment line
 * back where its indentation says it belongs, so untouched parts of a file round-trip.
 */
function relocateDanglingComments(doc: Document, text: string): void {
  const relocated = new Set<unknown>();
  const walk = (node: unknown, stack: Level[]) => {
    if (isSeq(node)) {
      for (const item of node.items) walk(item, stack);
      return;
    }
    if (!isMap(node) || node.flow || !node.range) return;
    const col = column(text, node.range[0]);
    node.items.forEach((pair, index) => {
      const levels = [...stack, { map: node, col, index }];
      const v = pair.value;
      if (isScalar(v) && v.source === "" && v.comment && v.range) {
        // The parser split these lines between this value and the next key; re-read them all.
        const nextKey = node.items[index + 1]?.key as Node | null | undefined;
        const end = nextKey && typeof nextKey === "object" && nextKey.range
          ? nextKey.range[0]
          : v.range[2];
        const segment = text.slice(v.range[0], end);
        if (!/^[ \t]*#/.test(segment)) {
          v.comment = undefined;
          const lines = segment.split("\n").slice(1);
          if (lines[lines.length - 1]?.trim() === "") lines.pop();
          placeCommentLines(lines, levels);
          relocated.add(node.items[index + 1]?.key);
        }
      }
      walk(v, levels);
    });
    for (const pair of node.items) {
      keepBlankLines(pair.key as Node | null, text, relocated);
    }
  };
  walk(doc.contents, []);
}

function placeCommentLines(lines: string[], levels: Level[]): void {
  // Group consecutive comment lines by the level their indentation selects.
  type Group = { level: number; lines: string[]; blanksBefore: number };
  const groups: Group[] = [];
  let current: Group | undefined;
  let blanks = 0;
  for (const line of lines) {
    const m = /^([ \t]*)#(.*)$/.exec(line);
    if (!m) {
      if (line.trim() === "") blanks++;
      continue;
    }
    let level = levels.length - 1;
    while (level > 0 && levels[level].col > m[1].length) level--;
    if (!current || current.level !== level) {
      current = { level, lines: [], blanksBefore: blanks };
      groups.push(current);
    } else {
      for (; blanks > 0; blanks--) current.lines.push("");
    }
    blanks = 0;
    // The serializer writes a comment line of one space as a bare `#`.
    current.lines.push(m[2] === "" ? " " : m[2]);
  }
  groups.forEach((g, i) => {
    const { map, index } = levels[g.level];
    const key = map.items[index + 1]?.key as Node | null | undefined;
    if (key && typeof key === "object") {
      // Blank lines after the last comment stay between it and the key.
      const trailing = i === groups.length - 1 ? "\n".repeat(blanks) : "";
      key.commentBefore = BLANK_LINE.repeat(Math.max(0, g.blanksBefore - 1)) +
        g.lines.join("\n") + trailing;
      key.spaceBefore = g.blanksBefore > 0;
      return;
    }
    const body = g.lines.join("\n");
    map.comment = map.comment ? `${map.comment}\n${body}` : body;
  });
}

/** The parser records one blank line before a key's comment; restore a run of several. */
function keepBlankLines(
  key: Node | null,
  text: string,
  skip: Set<unknown>,
): void {
  if (
    !key || typeof key !== "object" || !key.range || !key.spaceBefore ||
    !key.commentBefore || skip.has(key)
  ) return;
  const lines = text.slice(0, key.range[0]).split("\n");
  lines.pop();
  let i = lines.length - 1;
  while (i >= 0 && /^\s*(#.*)?$/.test(lines[i])) i--;
  let blanks = 0;
  for (let j = i + 1; j < lines.length && lines[j].trim() === ""; j++) blanks++;
  if (blanks > 1) {
    key.commentBefore = BLANK_LINE.repeat(blanks - 1) + key.commentBefore;
  }
}
