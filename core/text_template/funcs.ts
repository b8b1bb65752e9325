import { stringify } from "yaml";
import type { TemplateFunc } from "./builtins.ts";
import { formatValue } from "./fmt.ts";
import { sortedEntries } from "./value.ts";

function jsonString(text: string): string {
  // Go's encoder escapes the JS line terminators even with HTML escaping off.
  return JSON.stringify(text).replace(
    /[\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16)}`,
  );
}

// JSON text of a value, or undefined for values an object member is dropped for.
function encodeJSON(value: unknown): string | undefined {
  switch (typeof value) {
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    case "boolean":
      return String(value);
    case "bigint":
      return value.toString();
    case "number":
      if (!Number.isFinite(value)) {
        throw new Error(`json: unsupported value: ${formatValue(value)}`);
      }
      return JSON.stringify(value);
    case "string":
      return jsonString(value);
  }
  if (value === null) return "null";
  if (Array.isArray(value)) {
    return `[${value.map((v) => encodeJSON(v) ?? "null").join(",")}]`;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return encodeJSON(toJSON.call(value));
  const entries = value instanceof Map
    ? sortedEntries(value)
    : Object.entries(value as object);
  const members = entries.flatMap(([k, v]) => {
    const encoded = encodeJSON(v);
    return encoded === undefined ? [] : [`${jsonString(String(k))}:${encoded}`];
  });
  return `{${members.join(",")}}`;
}

// Plain data for the YAML encoder: maps become objects with Go's sorted key order, and
// objects with a `toJSON` (views whose serialised names differ) are encoded through it.
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Map) {
    return Object.fromEntries(
      sortedEntries(value).map(([k, v]) => [String(k), toPlain(v)]),
    );
  }
  if (typeof value === "object" && value !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return toPlain(toJSON.call(value));
    return Object.fromEntries(
      Object.entries(value).filter(([, v]) => typeof v !== "function").map((
        [k, v],
      ) => [k, toPlain(v)]),
    );
  }
  return value ?? null;
}

function optionalFirst<T>(
  args: unknown[],
  fallback: T,
  check: (value: unknown) => value is T,
  what: string,
): [T, unknown] {
  if (args.length === 0) {
    throw new Error("function takes at least one string argument");
  }
  if (args.length > 2) throw new Error("function takes at most 2 arguments");
  if (args.length === 1) return [fallback, args[0]];
  if (!check(args[0])) {
    throw new Error(`optional first argument must be ${what}`);
  }
  return [args[0], args[1]];
}

const isInteger = (v: unknown): v is number => Number.isInteger(v);
const isString = (v: unknown): v is string => typeof v === "string";

/** `json VALUE`: compact JSON, object keys in the order the object has them, no HTML escaping. */
export function json(value: unknown): string {
  return encodeJSON(value) ?? "null";
}

/** `yaml VALUE`: a YAML document starting with `---`, without the final newline. */
export function yaml(value: unknown): string {
  const text = stringify(toPlain(value), { indentSeq: false, lineWidth: 0 });
  return `---\n${text.replace(/\n$/, "")}`;
}

/** `indent [SIZE] TEXT`: prefixes every non-empty line with SIZE spaces (default 2). */
export function indent(...args: unknown[]): string {
  const [size, text] = optionalFirst(args, 2, isInteger, "an integer");
  if (typeof text !== "string") {
    throw new Error("last argument must be a string");
  }
  const prefix = " ".repeat(Math.max(size, 0));
  return text.split("\n").map((line) => (line === "" ? line : prefix + line))
    .join("\n");
}

/** `missing [MESSAGE] TEXT`: MESSAGE (default `<missing>`) when TEXT is empty or missing, else TEXT. */
export function missing(...args: unknown[]): string {
  const [message, text] = optionalFirst(
    args,
    "<missing>",
    isString,
    "a string",
  );
  if (text === null || text === undefined || text === "") return message;
  if (typeof text !== "string") {
    throw new Error("last argument must be a string");
  }
  return text;
}

/** The functions Lima adds to `limactl list --format` and `message` templates. */
export const limaFuncs: Readonly<Record<string, TemplateFunc>> = {
  json,
  yaml,
  indent,
  missing,
};

/** One help line per function of {@link limaFuncs} that takes options, for `--format` help. */
export const limaFuncHelp: readonly string[] = [
  "indent <size>: add spaces to beginning of each line",
  "missing <message>: return message if the text is empty",
];

function stringArg(name: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new Error(`${name} needs a string argument`);
  }
  return value;
}

/**
 * Small string helpers. Not part of {@link limaFuncs}: Lima does not define them, so
 * templates using them would not work with Lima itself.
 */
export const stringFuncs: Readonly<Record<string, TemplateFunc>> = {
  upper: (s) => stringArg("upper", s).toUpperCase(),
  lower: (s) => stringArg("lower", s).toLowerCase(),
  trimSpace: (s) => stringArg("trimSpace", s).trim(),
};
