import assert from "node:assert/strict";
import { join } from "node:path";
import { schemaFileValidator } from "./jsonschema_validate.ts";
import { limaYAMLJSONSchema } from "./schema.ts";

const BUILTIN = new URL("../../templates/", import.meta.url).pathname;
const UPSTREAM =
  new URL("../../../shared/lima-templates/", import.meta.url).pathname;

/** The YAML files under DIR; `hack/` holds an Ansible playbook, not a template. */
async function* yamlFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && entry.name !== "hack") yield* yamlFiles(path);
    else if (entry.name.endsWith(".yaml")) yield path;
  }
}

async function validator() {
  const dir = await Deno.makeTempDir();
  const schemaFile = join(dir, "schema.json");
  await Deno.writeTextFile(schemaFile, JSON.stringify(limaYAMLJSONSchema()));
  return { dir, check: await schemaFileValidator(schemaFile) };
}

Deno.test("every built-in and upstream Lima template validates against the JSON Schema", async () => {
  const { dir, check } = await validator();
  const failures: string[] = [];
  let count = 0;
  for (const root of [BUILTIN, UPSTREAM]) {
    for await (const file of yamlFiles(root)) {
      count++;
      await check(file).catch((err) => failures.push(`${file}: ${err}`));
    }
  }
  await Deno.remove(dir, { recursive: true });
  assert.ok(count > 150, `only ${count} templates`);
  assert.deepEqual(failures, []);
});

Deno.test("a broken file fails validation naming each wrong field by its JSON pointer", async () => {
  const { dir, check } = await validator();
  const bad = join(dir, "bad.yaml");
  await Deno.writeTextFile(
    bad,
    [
      "cpus: two",
      "arch: arm64",
      "mounts:",
      '- location: "~"',
      "  writable: maybe",
      "portForwards:",
      "- {guestPort: 80, proto: sctp}",
      "colour: blue",
    ].join("\n"),
  );
  const err = await check(bad).then(() => undefined, (e: Error) => e);
  await Deno.remove(dir, { recursive: true });
  assert.ok(err, "the broken file validated");
  const message = err.message;
  assert.match(message, /^jsonschema validation failed with 'file:\/\/.*#'/);
  for (
    const line of [
      "- at '/cpus': got string, want integer",
      "- at '/arch': value must be one of 'x86_64'",
      "- at '/mounts/0/writable': got string, want boolean",
      "- at '/portForwards/0/proto': value must be one of 'tcp', 'udp', 'any'",
      "- at '': additional properties 'colour' not allowed",
    ]
  ) {
    assert.ok(message.includes(line), `${line}\n${message}`);
  }
});

Deno.test("unquoted numbers and booleans in string fields validate, as Lima reads them as text", async () => {
  const { dir, check } = await validator();
  const file = join(dir, "scalars.yaml");
  await Deno.writeTextFile(
    file,
    "param: {ON: true, N: 3}\nprovision:\n- {mode: data, path: /x, content: y, permissions: 644}\n",
  );
  await check(file);
  await Deno.remove(dir, { recursive: true });
});
