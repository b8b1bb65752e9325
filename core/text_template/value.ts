/**
 * How JS values stand in for Go values: `undefined` is "no value" (a missing map key),
 * `null` is nil, a `Map` is a Go map, an array is a slice, any other object is a struct.
 */
export type Kind =
  | "invalid"
  | "nil"
  | "bool"
  | "int"
  | "float"
  | "string"
  | "slice"
  | "map"
  | "struct"
  | "func";

export function kindOf(value: unknown): Kind {
  switch (typeof value) {
    case "undefined":
      return "invalid";
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    case "string":
      return "string";
    case "function":
      return "func";
    case "symbol":
      return "struct";
  }
  if (value === null) return "nil";
  if (Array.isArray(value)) return "slice";
  if (value instanceof Map) return "map";
  return "struct";
}

/** A Go-like type name for error messages and `%T`. */
export function typeName(value: unknown): string {
  switch (kindOf(value)) {
    case "invalid":
    case "nil":
      return "<nil>";
    case "bool":
      return "bool";
    case "int":
      return typeof value === "bigint" ? "int64" : "int";
    case "float":
      return "float64";
    case "string":
      return "string";
    case "slice":
      return "[]interface {}";
    case "map": {
      const keys = [...(value as Map<unknown, unknown>).keys()];
      const key = keys.length > 0 && keys.every((k) => typeof k === "string")
        ? "string"
        : "interface {}";
      return `map[${key}]interface {}`;
    }
    case "func":
      return "func";
    case "struct": {
      const name = (value as object).constructor?.name;
      return name && name !== "Object" ? `*${name}` : "struct";
    }
  }
}

/** Go's notion of truth: the zero value of a type is false. */
export function truth(value: unknown): boolean {
  switch (kindOf(value)) {
    case "invalid":
    case "nil":
      return false;
    case "bool":
      return value as boolean;
    case "int":
    case "float":
      return value != 0;
    case "string":
      return value !== "";
    case "slice":
      return (value as unknown[]).length > 0;
    case "map":
      return (value as Map<unknown, unknown>).size > 0;
    default:
      return true;
  }
}

function compareKeys(a: unknown, b: unknown): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (ka === "string") {
    return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
  }
  if (ka === "int" || ka === "float" || ka === "bool") {
    return Number(a) - Number(b);
  }
  return 0;
}

/** Entries of a map (or of an object ranged over like one) in Go's sorted key order. */
export function sortedEntries(value: object): [unknown, unknown][] {
  const entries: [unknown, unknown][] = value instanceof Map
    ? [...value.entries()]
    : Object.entries(value);
  return entries.sort((a, b) => compareKeys(a[0], b[0]));
}

/** Map values: JS has no typed nil, so a null entry reads like Go's nil interface, "no value". */
export function mapValue(value: unknown): unknown {
  return value ?? undefined;
}
