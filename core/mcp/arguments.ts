/**
 * Checking a tool call's arguments against the tool's input schema, with the messages Lima's
 * Go SDK gives (jsonschema-go, wrapped in `validating "arguments": `). Only the keywords the
 * tools' schemas use are known: type, items, properties, additionalProperties, required.
 */
import type { JSONSchema } from "./tools.ts";

function jsonType(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") {
    return Number.isInteger(value) ? "integer" : "number";
  }
  return typeof value;
}

/** VALUE as Go's `%v` prints a decoded JSON value. */
function goValue(value: unknown): string {
  if (value === null || value === undefined) return "<invalid reflect.Value>";
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => a < b ? -1 : 1);
    return `map[${entries.map(([k, v]) => `${k}:${goValue(v)}`).join(" ")}]`;
  }
  return String(value);
}

/** Go's `%q` of a list of names: `["a" "b"]`. */
const quotedList = (names: string[]) =>
  `[${names.map((n) => JSON.stringify(n)).join(" ")}]`;

function typeProblem(value: unknown, schema: JSONSchema): string | undefined {
  const got = jsonType(value);
  const want = schema.type;
  const accepts = (t: string) =>
    t === got || (got === "integer" && t === "number");
  if (typeof want === "string" && !accepts(want)) {
    return `type: ${goValue(value)} has type "${got}", want "${want}"`;
  }
  if (Array.isArray(want) && !want.some(accepts)) {
    return `type: ${goValue(value)} has type "${got}", want one of "${
      want.join(", ")
    }"`;
  }
  return undefined;
}

function objectProblem(
  value: Record<string, unknown>,
  schema: JSONSchema,
  path: string,
): string | undefined {
  const properties = (schema.properties ?? {}) as Record<string, JSONSchema>;
  for (const name of Object.keys(properties).sort()) {
    if (!(name in value)) continue;
    const problem = check(
      value[name],
      properties[name],
      `${path === "root" ? "" : path}/properties/${name}`,
    );
    if (problem) return problem;
  }
  const extra = Object.keys(value).filter((name) => !(name in properties));
  if (schema.additionalProperties === false && extra.length) {
    return `unexpected additional properties ${quotedList(extra)}`;
  }
  const missing = ((schema.required ?? []) as string[]).filter((name) =>
    !(name in value)
  );
  if (missing.length) {
    return `required: missing properties: ${quotedList(missing)}`;
  }
  return undefined;
}

/** The first problem of VALUE against SCHEMA at schema path PATH, wrapped as Go wraps it. */
function check(
  value: unknown,
  schema: JSONSchema,
  path: string,
): string | undefined {
  let problem = typeProblem(value, schema);
  if (!problem && Array.isArray(value) && schema.items) {
    for (const item of value) {
      problem = check(item, schema.items as JSONSchema, `${path}/items`);
      if (problem) break;
    }
  }
  if (!problem && jsonType(value) === "object") {
    problem = objectProblem(value as Record<string, unknown>, schema, path);
  }
  return problem && `validating ${path}: ${problem}`;
}

/** Why ARGS (absent: `{}`) do not fit SCHEMA, or undefined when they do. */
export function argumentsProblem(
  args: Record<string, unknown> | undefined,
  schema: JSONSchema,
): string | undefined {
  const problem = check(args ?? {}, schema, "root");
  return problem && `validating "arguments": ${problem}`;
}
