import { sprint, sprintf, sprintln } from "./fmt.ts";
import { kindOf, mapValue, truth, typeName } from "./value.ts";

/** A template function: receives evaluated arguments (`null` for nil or missing values). */
export type TemplateFunc = (...args: unknown[]) => unknown;

/**
 * A built-in function with Go's argument-count rules (`max` undefined = variadic).
 * `and` and `or` have no `fn`: the executor evaluates them because they short-circuit.
 */
export interface Builtin {
  fn?: TemplateFunc;
  min: number;
  max?: number;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

// Text for html/js/urlquery: a lone string as is, anything else as fmt.Sprint would print it.
function evalArgs(args: unknown[]): string {
  return args.length === 1 && typeof args[0] === "string"
    ? args[0]
    : sprint(args);
}

type ComparableKind = "bool" | "number" | "string" | "other" | "nil";

function comparableKind(value: unknown): ComparableKind {
  switch (kindOf(value)) {
    case "bool":
      return "bool";
    case "int":
    case "float":
      return "number";
    case "string":
      return "string";
    case "invalid":
    case "nil":
      return "nil";
    default:
      return "other";
  }
}

function eq(arg1: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error("missing argument for comparison");
  const k1 = comparableKind(arg1);
  for (const arg of rest) {
    const k2 = comparableKind(arg);
    if (k1 === "nil" || k2 === "nil") {
      if (k1 === k2) return true;
      continue;
    }
    if (k1 !== k2) throw new Error("incompatible types for comparison");
    if (k1 === "other") {
      const kind = kindOf(arg);
      if (kind === "slice" || kind === "map" || kind === "func") {
        throw new Error(`non-comparable type ${typeName(arg)}`);
      }
      if (arg1 === arg) return true;
    } else if (k1 === "number" ? Number(arg1) === Number(arg) : arg1 === arg) {
      return true;
    }
  }
  return false;
}

function lessThan(a: unknown, b: unknown): boolean {
  const ka = comparableKind(a);
  const kb = comparableKind(b);
  if (ka !== "number" && ka !== "string") {
    throw new Error("invalid type for comparison");
  }
  if (ka !== kb) throw new Error("incompatible types for comparison");
  return ka === "number"
    ? Number(a) < Number(b)
    : (a as string) < (b as string);
}

function toIndex(value: unknown, cap: number): number {
  if (kindOf(value) !== "int") {
    throw new Error(`cannot index slice/array with type ${typeName(value)}`);
  }
  const index = Number(value);
  if (index < 0 || index >= cap) {
    throw new Error(`index out of range: ${index}`);
  }
  return index;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === null || item === undefined) {
    throw new Error("index of untyped nil");
  }
  let current: unknown = item;
  for (const key of indexes) {
    const kind = kindOf(current);
    if (kind === "slice") {
      const list = current as unknown[];
      current = mapValue(list[toIndex(key, list.length)]);
    } else if (kind === "string") {
      const bytes = utf8.encode(current as string);
      current = bytes[toIndex(key, bytes.length)];
    } else if (kind === "map") {
      current = mapValue((current as Map<unknown, unknown>).get(key));
    } else if (kind === "struct" && typeof key === "string") {
      // Objects stand in for Go structs, but parsed YAML/JSON maps are objects too.
      current = mapValue(
        Object.hasOwn(current as object, key)
          ? (current as Record<string, unknown>)[key]
          : undefined,
      );
    } else if (kind === "invalid" || kind === "nil") {
      throw new Error("index of nil pointer");
    } else {
      throw new Error(`can't index item of type ${typeName(current)}`);
    }
  }
  return current;
}

function sliceIndex(value: unknown, cap: number): number {
  if (kindOf(value) !== "int") {
    throw new Error(`cannot index slice/array with type ${typeName(value)}`);
  }
  const index = Number(value);
  if (index < 0 || index > cap) throw new Error(`index out of range: ${index}`);
  return index;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === null || item === undefined) {
    throw new Error("slice of untyped nil");
  }
  if (indexes.length > 3) {
    throw new Error(`too many slice indexes: ${indexes.length}`);
  }
  const kind = kindOf(item);
  if (kind !== "slice" && kind !== "string") {
    throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  if (kind === "string" && indexes.length === 3) {
    throw new Error("cannot 3-index slice a string");
  }
  const bytes = kind === "string" ? utf8.encode(item as string) : undefined;
  const length = bytes ? bytes.length : (item as unknown[]).length;
  const bounds = [0, length];
  indexes.slice(0, 2).forEach((value, i) => {
    bounds[i] = sliceIndex(value, length);
  });
  if (indexes.length === 3) sliceIndex(indexes[2], length);
  const [low, high] = bounds;
  if (low > high) throw new Error(`invalid slice index: ${low} > ${high}`);
  if (indexes.length === 3) {
    const max = Number(indexes[2]);
    if (high > max) throw new Error(`invalid slice index: ${high} > ${max}`);
  }
  return bytes
    ? utf8Decoder.decode(bytes.slice(low, high))
    : (item as unknown[]).slice(low, high);
}

function len(item: unknown): number {
  switch (kindOf(item)) {
    case "string":
      return utf8.encode(item as string).length;
    case "slice":
      return (item as unknown[]).length;
    case "map":
      return (item as Map<unknown, unknown>).size;
    case "struct":
      return Object.keys(item as object).length;
    case "invalid":
    case "nil":
      throw new Error("len of nil pointer");
    default:
      throw new Error(`len of type ${typeName(item)}`);
  }
}

function html(...args: unknown[]): string {
  return evalArgs(args).replace(/[<>&'"\0]/g, (c) =>
    ({
      "<": "&lt;",
      ">": "&gt;",
      "&": "&amp;",
      "'": "&#39;",
      '"': "&#34;",
      "\0": "\uFFFD",
    })[c] ?? c);
}

function js(...args: unknown[]): string {
  let out = "";
  for (const c of evalArgs(args)) {
    const code = c.codePointAt(0) ?? 0;
    switch (c) {
      case "\\":
      case "'":
      case '"':
        out += `\\${c}`;
        break;
      case "<":
      case ">":
      case "&":
      case "=":
        out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
        break;
      default:
        if (code < 0x20) {
          out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
        } else if (code >= 0x80 && !/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c)) {
          out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
        } else {
          out += c;
        }
    }
  }
  return out;
}

function urlquery(...args: unknown[]): string {
  let out = "";
  for (const byte of utf8.encode(evalArgs(args))) {
    const c = String.fromCharCode(byte);
    if (/^[A-Za-z0-9\-_.~]$/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function call(fn: unknown, ...args: unknown[]): unknown {
  if (fn === null || fn === undefined) throw new Error("call of nil");
  if (typeof fn !== "function") {
    throw new Error(`non-function of type ${typeName(fn)}`);
  }
  return fn(...args);
}

function printf(format: unknown, ...args: unknown[]): string {
  if (typeof format !== "string") {
    throw new Error(
      `wrong type for value; expected string; got ${typeName(format)}`,
    );
  }
  return sprintf(format, args);
}

/** Go's predefined template functions. */
export const builtins: Readonly<Record<string, Builtin>> = {
  and: { min: 1 },
  or: { min: 1 },
  not: { fn: (a) => !truth(a), min: 1, max: 1 },
  len: { fn: len, min: 1, max: 1 },
  index: { fn: index as TemplateFunc, min: 1 },
  slice: { fn: slice as TemplateFunc, min: 1 },
  print: { fn: (...args) => sprint(args), min: 0 },
  printf: { fn: printf as TemplateFunc, min: 1 },
  println: { fn: (...args) => sprintln(args), min: 0 },
  html: { fn: html, min: 0 },
  js: { fn: js, min: 0 },
  urlquery: { fn: urlquery, min: 0 },
  call: { fn: call as TemplateFunc, min: 1 },
  eq: { fn: eq as TemplateFunc, min: 1 },
  ne: { fn: (a, b) => !eq(a, b), min: 2, max: 2 },
  lt: { fn: (a, b) => lessThan(a, b), min: 2, max: 2 },
  le: { fn: (a, b) => lessThan(a, b) || eq(a, b), min: 2, max: 2 },
  gt: { fn: (a, b) => !lessThan(a, b) && !eq(a, b), min: 2, max: 2 },
  ge: { fn: (a, b) => !lessThan(a, b), min: 2, max: 2 },
};
