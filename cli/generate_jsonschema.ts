import { Command } from "@commander-js/extra-typings";

/** Hidden `generate-jsonschema`: the JSON Schema of lima.yaml, for editors. */
export function generateJSONSchemaCommand() {
  return new Command("generate-jsonschema")
    .description("Generate the JSON Schema of lima.yaml")
    .option(
      "--schemafile <file>",
      "write the schema to this file instead of stdout",
    )
    .action(async (opts) => {
      const [{ limaYAMLJSONSchema }, { writeFileAtomic }] = await Promise.all([
        import("../core/config/schema.ts"),
        import("../core/store/atomic_write.ts"),
      ]);
      const text = JSON.stringify(limaYAMLJSONSchema(), null, 2) + "\n";
      if (opts.schemafile) await writeFileAtomic(opts.schemafile, text);
      else await Deno.stdout.write(new TextEncoder().encode(text));
    });
}
