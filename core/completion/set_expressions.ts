/**
 * `--set` suggestions (`setFlagCompletion` in Lima's `cmd/limactl/tab_completion.go`):
 * `.path=` for the fields of lima.yaml, top level and one level deep, then the values of
 * boolean and enumerated fields once the `=` is typed.
 */
import {
  ARCHS,
  limaYAMLJSONSchema,
  MOUNT_TYPES,
  OSES,
} from "../config/schema.ts";
import { type Completion, Directive } from "./directive.ts";

type JSONSchema = {
  type?: string | string[];
  properties?: Record<string, JSONSchema>;
  anyOf?: JSONSchema[];
};

/** The properties of SCHEMA when it is an object (possibly nullable), else undefined. */
function objectProperties(
  schema: JSONSchema,
): Record<string, JSONSchema> | undefined {
  if (schema.properties) return schema.properties;
  return schema.anyOf?.find((s) => s.properties)?.properties;
}

function isBoolean(schema: JSONSchema): boolean {
  const types = [schema.type ?? []].flat();
  return types.includes("boolean") ||
    (schema.anyOf?.some((s) => [s.type ?? []].flat().includes("boolean")) ??
      false);
}

/** Field paths of lima.yaml in file order, and the values of the boolean ones. */
function fieldPaths(): { paths: string[]; booleans: Set<string> } {
  const paths: string[] = [];
  const booleans = new Set<string>();
  const visit = (properties: Record<string, JSONSchema>, prefix: string) => {
    for (const [name, schema] of Object.entries(properties)) {
      const path = `${prefix}.${name}`;
      paths.push(path);
      if (isBoolean(schema)) booleans.add(path);
      const nested = objectProperties(schema);
      // Deeper paths (and list items) are typed by hand, as in Lima: they would only add noise.
      if (nested && prefix === "") visit(nested, path);
    }
  };
  visit(objectProperties(limaYAMLJSONSchema() as JSONSchema) ?? {}, "");
  return { paths, booleans };
}

/** The suggestions for `--set TO_COMPLETE`; VM_TYPES are the drivers' names for `.vmType=`. */
export function completeSetExpression(
  toComplete: string,
  vmTypes: readonly string[],
): Completion {
  const directive = Directive.noSpace | Directive.noFileComp;
  const { paths, booleans } = fieldPaths();
  const eq = toComplete.indexOf("=");
  if (eq < 0) {
    return {
      candidates: paths.filter((p) => p.startsWith(toComplete)).map((p) =>
        `${p}=`
      ),
      directive,
    };
  }
  const path = toComplete.slice(0, eq);
  const valuePrefix = toComplete.slice(eq + 1);
  const enums: Record<string, readonly string[]> = {
    ".vmType": vmTypes,
    ".os": OSES,
    ".arch": ARCHS,
    ".mountType": MOUNT_TYPES,
  };
  const values = enums[path] ??
    (booleans.has(path) ? ["true", "false"] : []);
  return {
    candidates: values.filter((v) => v.startsWith(valuePrefix)).map((v) =>
      `${path}=${v}`
    ),
    directive,
  };
}
