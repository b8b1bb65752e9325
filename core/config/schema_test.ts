import assert from "node:assert/strict";
import { ARCHS, limaYAMLJSONSchema, LimaYAMLSchema } from "./schema.ts";

Deno.test("the JSON Schema describes every top-level field and forbids unknown ones", () => {
  const schema = limaYAMLJSONSchema();
  const properties = schema.properties as Record<string, unknown>;
  for (
    const field of [
      "images",
      "mounts",
      "provision",
      "portForwards",
      "networks",
      "vmOpts",
      "user",
      "param",
    ]
  ) {
    assert.ok(field in properties, field);
  }
  assert.equal(schema.additionalProperties, false);
  assert.equal(
    Object.keys(properties).length,
    Object.keys(LimaYAMLSchema.shape).length,
  );
  JSON.parse(JSON.stringify(schema));
});

Deno.test("the JSON Schema keeps polymorphic fields polymorphic", () => {
  const text = JSON.stringify(
    (limaYAMLJSONSchema().properties as Record<string, unknown>)
      .additionalDisks,
  );
  assert.match(text, /"type":"string"/);
  assert.match(text, /"name"/);
});

Deno.test("ARCHS lists Lima's architectures", () => {
  assert.deepEqual([...ARCHS], [
    "x86_64",
    "aarch64",
    "armv7l",
    "ppc64le",
    "riscv64",
    "s390x",
  ]);
});
