import { Command } from "@commander-js/extra-typings";
import { limaYAMLJSONSchema } from "../core/config/schema.ts";
import { writeFileAtomic } from "../core/store/atomic_write.ts";

/** Hidden `generate-jsonschema`: the JSON Schema of lima.yaml, for editors. */
export function generateJSONSchemaCommand() {
  return new Command("generate-jsonschema")
    .description("Generate the JSON Schema of lima.yaml")
    .option("--schemafile <file>", "write the schema to this file instead of stdout")
    .action(async (opts) => {
      const text = JSON.stringify(limaYAMLJSONSchema(), null, 2) + "\n";
      if (opts.schemafile) await writeFileAtomic(opts.schemafile, text);
      else await Deno.stdout.write(new TextEncoder().encode(text));
    });
}
