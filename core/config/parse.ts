/**
 * Reading lima.yaml text into the data model (Lima's `pkg/limayaml/load.go`, `marshal.go`):
 * YAML syntax errors are fatal, wrong types are fatal and name the field, unknown fields only
 * warn (or fail when strict).
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node as YAMLNode,
  type Scalar,
} from "yaml";
import type { z } from "zod";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import {
  type AliasResolver,
  EXCESSIVE_ALIASING,
  parseBounded,
  resolveAliases,
} from "../yaml_aliases.ts";
import { type LimaYAML, LimaYAMLSchema } from "./schema.ts";

export interface ParseOptions {
  /** Names the source in messages (a path, a URL or `-`). */
  file: string;
  /** Receives the "Non-strict YAML detected" warning; defaults to the logger. */
  warn?: (msg: string) => void;
  /** Report unknown fields as errors instead of a warning. */
  strict?: boolean;
}

/** Lima's warning for unknown fields. */
export const NON_STRICT_WARNING =
  "Non-strict YAML detected; please check for typos";

/** Renders a field path the way messages show it: `mounts[1].mountPoint`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text ? `.${String(part)}` : String(part);
  }
  return text;
}

/** Parses lima.yaml (or a template, default.yaml, override.yaml) text. */
export function parseLimaYAML(text: string, options: ParseOptions): LimaYAML {
  const failure = `failed to unmarshal YAML (${options.file})`;
  const lineCounter = new LineCounter();
  const doc = parseBounded(text, {
    lineCounter,
    merge: true,
    customTags: ["binary"],
  });
  if (doc.errors.length > 0) {
    throw new LimaError({
      summary: failure,
      detail: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const message = e.message.split("\n")[0].replace(
          / at line \d+, column \d+:?$/,
          "",
        );
        return at ? `line ${at.line}:${at.col}: ${message}` : message;
      }).join("; "),
    });
  }

  const resolve = resolveAliases(doc);
  if (!resolve) {
    throw new LimaError({ summary: failure, detail: EXCESSIVE_ALIASING });
  }
  const converter = new Converter(resolve);
  const contents = doc.contents;
  if (
    contents !== null && !isMap(contents) &&
    !(isScalar(contents) && contents.value === null)
  ) {
    throw new LimaError({
      summary: failure,
      detail:
        `line 1: the document must be a mapping of lima.yaml fields, got ${
          describeNode(contents)
        }`,
    });
  }
  const value = converter.convert(contents, LimaYAMLSchema, []) ?? {};

  const problems: string[] = [];
  const lineOf = (path: readonly PropertyKey[]) => {
    const offset = converter.offsets.get(pathKey(path));
    return offset === undefined
      ? ""
      : `line ${lineCounter.linePos(offset).line}: `;
  };
  if (converter.unknown.length > 0) {
    const listed = converter.unknown.map((p) =>
      `${lineOf(p)}unknown field \`${fieldPath(p)}\``
    );
    if (options.strict) problems.push(...listed);
    else {(options.warn ?? logger.warn)(
        `${NON_STRICT_WARNING} (${options.file}): ${listed.join("; ")}`,
      );}
  }

  const result = LimaYAMLSchema.safeParse(value);
  if (result.success && problems.length === 0) return result.data;
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push(lineOf(issue.path) + describeIssue(issue, value));
    }
  }
  throw new LimaError({ summary: failure, detail: problems.join("; ") });
}

/** The shape of zod internals the converter looks at. */
interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  items?: z.ZodType[];
  valueType?: z.ZodType;
  options?: z.ZodType[];
}

const defOf = (schema: z.ZodType) => schema._zod.def as unknown as SchemaDef;

const KIND_TYPES = {
  map: ["object", "record"],
  seq: ["array", "tuple"],
  scalar: ["string", "number", "boolean", "enum", "literal"],
};

/** Strips optional/nullable wrappers and picks the union member for the given YAML kind. */
function resolveSchema(
  schema: z.ZodType | undefined,
  kind: keyof typeof KIND_TYPES,
): SchemaDef | undefined {
  if (!schema) return undefined;
  let def = defOf(schema);
  while (
    def.innerType &&
    ["optional", "nullable", "default", "readonly"].includes(def.type)
  ) {
    def = defOf(def.innerType);
  }
  if (def.type !== "union") return def;
  return (def.options ?? [])
    .map((option) => resolveSchema(option, kind))
    .find((d) => d && KIND_TYPES[kind].includes(d.type));
}

/** YAML 1.1 booleans that Lima's decoder accepts when the field is a boolean. */
const YAML11_BOOLS: Record<string, boolean> = {
  y: true,
  yes: true,
  on: true,
  true: true,
  n: false,
  no: false,
  off: false,
  false: false,
};

const pathKey = (path: readonly PropertyKey[]) =>
  JSON.stringify(path.map(String));

/**
 * Turns the YAML tree into plain data guided by the schema, the way a typed decoder does:
 * unquoted numbers and booleans in string fields keep their source text (`1.10` stays "1.10"),
 * `!!binary` strings are decoded, and keys the schema does not know are dropped and recorded.
 */
class Converter {
  readonly unknown: PropertyKey[][] = [];
  readonly offsets = new Map<string, number>();

  constructor(private readonly resolve: AliasResolver) {}

  convert(
    node: unknown,
    schema: z.ZodType | undefined,
    path: PropertyKey[],
  ): unknown {
    if (isAlias(node)) {
      return this.convert(this.resolve(node), schema, path);
    }
    const range = (node as YAMLNode | null)?.range;
    if (range) this.offsets.set(pathKey(path), range[0]);
    if (isMap(node)) {
      return this.convertMap(node.items, resolveSchema(schema, "map"), path);
    }
    if (isSeq(node)) {
      const def = resolveSchema(schema, "seq");
      return node.items.map((item, i) => {
        const child = def?.type === "array" ? def.element : def?.items?.[i];
        return this.convert(item, child, [...path, i]);
      });
    }
    if (isScalar(node)) {
      return this.convertScalar(node, resolveSchema(schema, "scalar"));
    }
    return node ?? null;
  }

  private convertScalar(node: Scalar, def: SchemaDef | undefined): unknown {
    const value = node.value;
    if (value instanceof Uint8Array) return new TextDecoder().decode(value);
    if (value === null || node.type !== "PLAIN") return value;
    if (
      def?.type === "string" &&
      (typeof value === "number" || typeof value === "boolean")
    ) {
      return node.source ?? String(value);
    }
    if (def?.type === "boolean" && typeof value === "string") {
      const bool = YAML11_BOOLS[value.toLowerCase()];
      if (bool !== undefined) return bool;
    }
    return value;
  }

  private convertMap(
    items: { key: unknown; value: unknown }[],
    def: SchemaDef | undefined,
    path: PropertyKey[],
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const merged: Record<string, unknown>[] = [];
    for (const pair of items) {
      const keyNode = isAlias(pair.key) ? this.resolve(pair.key) : pair.key;
      const keyValue = isScalar(keyNode) ? keyNode.value : keyNode;
      if (
        typeof keyValue === "symbol" ||
        (isScalar(keyNode) && keyNode.source === "<<" &&
          keyNode.type === "PLAIN")
      ) {
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
        for (const source of sources) {
          const value = this.convert(source, schemaFromDef(def), path);
          if (value && typeof value === "object" && !Array.isArray(value)) {
            merged.push(value as Record<string, unknown>);
          }
        }
        continue;
      }
      const key = isScalar(keyNode)
        ? (keyNode.source ?? String(keyValue))
        : String(keyValue);
      let child: z.ZodType | undefined;
      if (def?.type === "object") {
        child = def.shape?.[key];
        if (!child && defOf(def.catchall ?? neverSchema).type === "never") {
          this.unknown.push([...path, key]);
          const range = (keyNode as YAMLNode | null)?.range;
          if (range) this.offsets.set(pathKey([...path, key]), range[0]);
          continue;
        }
        child ??= def.catchall;
      } else if (def?.type === "record") {
        child = def.valueType;
      }
      out[key] = this.convert(pair.value, child, [...path, key]);
    }
    for (const source of merged) {
      for (const [k, v] of Object.entries(source)) if (!(k in out)) out[k] = v;
    }
    return out;
  }
}

const neverSchema = {
  _zod: { def: { type: "never" } },
} as unknown as z.ZodType;

/** Re-wraps a resolved object definition so merge-key sources are checked like the map itself. */
function schemaFromDef(def: SchemaDef | undefined): z.ZodType | undefined {
  return def ? ({ _zod: { def } } as unknown as z.ZodType) : undefined;
}

function describeNode(node: unknown): string {
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    return `${typeof node.value} ${JSON.stringify(node.value)}`;
  }
  return "an unsupported value";
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  // Every number in lima.yaml is an integer.
  number: "an integer",
  int: "an integer",
  boolean: "a boolean (true or false)",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  tuple: "a list",
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** One sentence per type problem, naming the field and what it must be. */
function describeIssue(
  issue: z.core.$ZodIssue,
  root: unknown,
  prefix: PropertyKey[] = [],
): string {
  const path = [...prefix, ...issue.path];
  const field = `field \`${fieldPath(path)}\``;
  const got = describeValue(valueAt(root, path));
  switch (issue.code) {
    case "invalid_type":
      if (got === "nothing") return `${field} must be set`;
      return `${field} must be ${
        EXPECTED[issue.expected] ?? issue.expected
      }, got ${got}`;
    case "invalid_union": {
      const value = valueAt(root, path);
      if (
        value !== null && typeof value === "object" && !Array.isArray(value)
      ) {
        const branch = issue.errors.find((errs) =>
          errs.every((e) => e.path.length > 0)
        );
        if (branch) {
          return branch.map((e) => describeIssue(e, root, path)).join("; ");
        }
      }
      return `${field} must be a string or a mapping, got ${got}`;
    }
    case "too_small":
    case "too_big":
      if (issue.origin === "array") {
        return `${field} must be a list of exactly 2 integers, got ${got}`;
      }
      return `${field} must be ${
        issue.code === "too_small" ? "at least" : "at most"
      } ${String(issue.code === "too_small" ? issue.minimum : issue.maximum)}`;
    default:
      return `${field}: ${issue.message}`;
  }
}
