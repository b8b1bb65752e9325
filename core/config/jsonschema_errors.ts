/**
 * Ajv's validation errors as the lines Lima prints: Lima's `pkg/jsonschemautil` uses the
 * `santhosh-tekuri/jsonschema` validator, which names each failing value by its JSON
 * pointer (`- at '/mounts/0/writable': got string, want boolean`).
 */
import type { ErrorObject } from "ajv";

/** The JSON type name of VALUE, as the JSON Schema `type` keyword spells it. */
function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") {
    return Number.isInteger(value) ? "integer" : "number";
  }
  return typeof value;
}

const quote = (value: unknown) =>
  typeof value === "string" ? `'${value}'` : JSON.stringify(value);

/** One error in Lima's words where the keyword is a common one, else Ajv's. */
function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type":
      return `got ${jsonType(error.data)}, want ${
        [params.type].flat().join(" or ")
      }`;
    case "enum":
      return `value must be one of ${
        (params.allowedValues as unknown[]).map(quote).join(", ")
      }`;
    case "additionalProperties":
      return `additional properties ${
        quote(params.additionalProperty)
      } not allowed`;
    default:
      return error.message ?? error.keyword;
  }
}

/**
 * Every nullable field is `anyOf: [schema, null]`, so a wrong value also fails the `null`
 * branch and the `anyOf` itself: those add nothing when a more precise error exists.
 */
function isNoise(error: ErrorObject, all: readonly ErrorObject[]): boolean {
  if (error.keyword === "type" && error.params.type === "null") {
    return all.some((e) => e !== error && e.keyword !== "anyOf");
  }
  if (error.keyword === "anyOf" || error.keyword === "oneOf") {
    return all.some((e) => !["anyOf", "oneOf"].includes(e.keyword));
  }
  return false;
}

/** The `- at 'POINTER': WHAT` lines for ERRORS, without repeats. */
export function schemaErrorLines(errors: readonly ErrorObject[]): string[] {
  const lines = errors.filter((e) => !isNoise(e, errors)).map((e) =>
    `- at '${e.instancePath}': ${describe(e)}`
  );
  return [...new Set(lines)];
}
