import { Command } from "@commander-js/extra-typings";

/**
 * Hidden `generate-jsonschema [FILE…]`: the JSON Schema of lima.yaml, for editors. As in
 * Lima's `cmd/limactl/genschema.go`: without files it prints the schema (even when
 * `--schemafile` is given); with files it writes the schema to `--schemafile` and validates
 * each file against that file, stopping at the first invalid one.
 */
export function generateJSONSchemaCommand() {
  return new Command("generate-jsonschema")
    .description("Generate json-schema document")
    .argument("[files...]")
    // Lima's usage line names no arguments (cobra's ArbitraryArgs).
    .usage("[flags]")
    .option("--schemafile <string>", "Output file", "")
    .action(async (files, opts) => {
      const { limaYAMLJSONSchema } = await import("../core/config/schema.ts");
      // Lima indents with 4 spaces.
      const text = JSON.stringify(limaYAMLJSONSchema(), null, 4);
      if (files.length === 0) {
        await Deno.stdout.write(new TextEncoder().encode(text + "\n"));
        return;
      }
      await validateFiles(text, opts.schemafile, files);
    });
}

/** Writes the schema TEXT to SCHEMAFILE and validates FILES against it, logging each OK. */
async function validateFiles(
  text: string,
  schemafile: string,
  files: string[],
): Promise<void> {
  const [{ LimaError, errorMessage }, { logger }, validate, atomic] =
    await Promise.all([
      import("../core/errors.ts"),
      import("../core/log.ts"),
      import("../core/config/jsonschema_validate.ts"),
      import("../core/store/atomic_write.ts"),
    ]);
  if (!schemafile) {
    throw new LimaError({ summary: "need --schemafile to validate" });
  }
  await atomic.writeFileAtomic(schemafile, text);
  const check = await validate.schemaFileValidator(schemafile);
  for (const file of files) {
    try {
      await check(file);
    } catch (err) {
      throw new LimaError({ summary: `\`${file}\`: ${errorMessage(err)}` }, {
        cause: err,
      });
    }
    logger.info(`\`${file}\`: OK`);
  }
}
