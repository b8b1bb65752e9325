/**
 * Validating YAML files against a JSON Schema file, as `limactl generate-jsonschema
 * --schemafile SCHEMA FILE…` does in Lima's `pkg/jsonschemautil`: the schema is compiled
 * from the file on disk and each YAML document is checked as plain data.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseAllDocuments } from "yaml";
import { LimaError } from "../errors.ts";
import { schemaErrorLines } from "./jsonschema_errors.ts";
import { decodeUTF8, readLocalBytes, readRegularText } from "./read_file.ts";

/** Checks data against one compiled schema; throws a LimaError naming the failing fields. */
export type SchemaValidator = (file: string) => Promise<void>;

/** The plain data of the first YAML document in TEXT (what Lima's YAML decoder reads). */
function firstDocument(text: string, file: string): unknown {
  const docs = parseAllDocuments(text);
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (!doc) return null;
  if (doc.errors.length) {
    throw new LimaError({
      file,
      summary: "invalid YAML",
      detail: doc.errors[0].message,
    });
  }
  return doc.toJS();
}

/** A validator for the JSON Schema in SCHEMAFILE. */
export async function schemaFileValidator(
  schemaFile: string,
): Promise<SchemaValidator> {
  const schema = JSON.parse(await readRegularText(schemaFile));
  // strict: false lets editor-only keywords such as `examples` through.
  const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
  const check = ajv.compile(schema);
  const url = pathToFileURL(resolve(schemaFile)).href;
  return async (file) => {
    // Link files (symlinks in checkouts without them) are followed, as for templates.
    const bytes = await readLocalBytes(file);
    const data = firstDocument(decodeUTF8(bytes, `file ${file}`), file);
    if (check(data)) return;
    throw new LimaError({
      summary: [
        `jsonschema validation failed with '${url}#'`,
        ...schemaErrorLines(check.errors ?? []),
      ].join("\n"),
    });
  };
}
