/**
 * An embedded evaluator for the yq v4 expression language, as used by `--set`, the other
 * edit flags, `limactl list --yq` and `limactl yq`. Documents are edited in place through
 * the `yaml` package so comments and key order are kept.
 */
import { type Alias, Document, isScalar, type Node } from "yaml";
import { LimaError } from "../errors.ts";
import type { AliasResolver } from "../yaml_aliases.ts";
import { quote } from "../quote.ts";
import { documentText, joinDocuments, parseStream } from "./document.ts";
import { type Candidate, Evaluator } from "./evaluate.ts";
import { YqError } from "./lexer.ts";
import { fromJS, toJS, type ValueNode } from "./nodes.ts";
import { parseExpression } from "./parser.ts";

export { YqError } from "./lexer.ts";

export interface YqOptions {
  /** Allow `env`, `strenv` and `envsubst` (only the `limactl yq` command does). */
  envOps?: boolean;
  /** The file the YAML text came from, named in errors. */
  file?: string;
}

/** One value produced by an expression over a YAML stream. */
export interface YqResult {
  /** The document the value belongs to when it is a whole (possibly edited) input document. */
  document?: Document;
  node: Node | undefined;
  /** Index of the input document it came from. */
  docIndex: number;
  /** Made up by the expression, not read from a document (`Candidate.detached`). */
  detached?: boolean;
  /** Index of the input file, when several are printed as one stream. */
  fileIndex?: number;
}

function fail(expression: string, err: unknown, file?: string): never {
  if (err instanceof YqError) {
    throw new LimaError({
      summary: `failed to evaluate yq expression ${quote(expression)}`,
      detail: err.message,
      file,
    }, {
      cause: err,
    });
  }
  throw err;
}

/**
 * Resolves aliases through the anchors found when the documents were read while the anchor
 * still names that node (expressions may rename anchors or add aliases), else by searching.
 */
function resolver(
  docs: Document[],
  read: AliasResolver[],
): (alias: Alias) => ValueNode {
  return (alias) => {
    for (const resolve of read) {
      const found = resolve(alias);
      if (found?.anchor === alias.source) return found;
    }
    for (const doc of docs) {
      const found = alias.resolve(doc);
      if (found) return found as Node;
    }
    return undefined;
  };
}

/**
 * Evaluates EXPR over every document of a YAML stream; `nullInput` evaluates it once against
 * null. By default all documents at once, as Lima's `--set` (yq's `eval-all`); `perDocument`
 * evaluates each document alone, as `yq eval`, the command's default.
 */
export function evaluateYamlStream(
  yamlText: string,
  expression: string,
  options: YqOptions & { nullInput?: boolean; perDocument?: boolean } = {},
): YqResult[] {
  try {
    const ast = parseExpression(expression);
    const { docs, aliases } = options.nullInput
      ? { docs: [new Document(null)], aliases: [] }
      : parseStream(yamlText);
    if (options.nullInput) docs[0].contents = null;
    const evaluator = new Evaluator({
      envOps: options.envOps ?? false,
      resolveAlias: resolver(docs, aliases),
    });
    const inputs: Candidate[] = docs.map((doc, i) => ({
      node: (doc.contents ?? undefined) as ValueNode,
      slot: {
        kind: "root",
        get: () => (doc.contents ?? undefined) as ValueNode,
        set: (node: Node) => {
          doc.contents = node;
        },
      },
      together: true,
      doc: i,
    }));
    const results = options.perDocument
      ? inputs.flatMap((input) => evaluator.run(ast, [input]))
      : evaluator.run(ast, inputs);
    return results.map((c) => {
      const doc = docs[c.doc];
      const whole = c.slot?.kind === "root" &&
        c.node === (doc.contents ?? undefined);
      return {
        document: whole ? doc : undefined,
        node: c.node,
        docIndex: c.doc,
        detached: c.detached,
      };
    });
  } catch (err) {
    fail(expression, err, options.file);
  }
}

export interface FormatOptions {
  output?: "yaml" | "json";
  /** Spaces per indentation level (0 = compact JSON). */
  indent?: number;
  /** Print string scalars without quotes (JSON output only; YAML output always unwraps scalars). */
  raw?: boolean;
}

/** Renders results like yq prints them: YAML documents (scalars unwrapped) or JSON values. */
export function formatYqResults(
  results: YqResult[],
  options: FormatOptions = {},
): string {
  const indent = options.indent ?? 2;
  const texts: string[] = [];
  // yq's printer: a `---` whenever a result's file or document differs from the previous
  // result's, counting from document 0 of file 0; made-up nodes count as that document.
  let previousDoc = "0/0";
  let out = "";
  for (const r of results) {
    if (options.output === "json") {
      const value = toJS(r.node, () => undefined);
      out += options.raw && typeof value === "string"
        ? `${value}\n`
        : `${JSON.stringify(value, null, indent)}\n`;
      continue;
    }
    let text: string;
    if (r.node === undefined || isScalar(r.node)) {
      text = `${scalarText(r.node)}\n`;
    } else if (r.document) {
      text = documentText(r.document, { indent });
      // Only the first document keeps its own `---`; later ones get the printer's.
      if (r.docIndex > 0) text = text.replace(/^---\n/, "");
    } else {
      text = documentText(new Document(r.node), { indent });
    }
    const doc = r.detached ? "0/0" : `${r.fileIndex ?? 0}/${r.docIndex}`;
    if (doc !== previousDoc && out !== "") {
      texts.push(out);
      out = "";
    }
    previousDoc = doc;
    out += text;
  }
  if (options.output === "json") return out;
  texts.push(out);
  return joinDocuments(texts.filter((t) => t !== ""));
}

function scalarText(node: Node | undefined): string {
  if (node === undefined || !isScalar(node)) return "null";
  const v = node.value;
  if (v === null || v === undefined) {
    return typeof node.source === "string" && node.source !== ""
      ? node.source
      : "null";
  }
  if (typeof v === "string") return v;
  if (
    typeof v === "number" && typeof node.source === "string" &&
    node.source !== "" && Number(node.source) === v
  ) {
    return node.source;
  }
  return String(new Document(node)).trimEnd();
}

/**
 * Evaluates EXPR against one YAML document text like `yq -i EXPR`, returns the new YAML text.
 * Comments, key order and untouched formatting are preserved; output uses indentless
 * sequences ("- " at the parent key's indent), LF endings. Throws LimaError naming the
 * expression (and FILE, the text's source) on parse/eval errors.
 */
export function applyYq(
  yamlText: string,
  expression: string,
  file?: string,
): string {
  if (expression.trim() === "") return yamlText;
  return formatYqResults(evaluateYamlStream(yamlText, expression, { file }));
}

/** Evaluates EXPR against a plain JS value (as parsed JSON/YAML) and returns the result stream. */
export function evaluateYq(input: unknown, expression: string): unknown[] {
  let root: ValueNode = fromJS(input);
  try {
    const ast = parseExpression(expression);
    const evaluator = new Evaluator({ envOps: false });
    const results = evaluator.run(ast, [{
      node: root,
      slot: {
        kind: "root",
        get: () => root,
        set: (node) => {
          root = node;
        },
      },
      together: true,
      doc: 0,
    }]);
    return results.map((c) => toJS(c.node, () => undefined));
  } catch (err) {
    fail(expression, err);
  }
}
