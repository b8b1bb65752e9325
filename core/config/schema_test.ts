import assert from "node:assert/strict";
import {
  ARCHS,
  BUILTIN_VM_TYPES,
  limaYAMLJSONSchema,
  LimaYAMLSchema,
} from "./schema.ts";

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

type JSONSchema = Record<string, unknown>;

/** Every property schema under NODE, with its dotted path. */
function* properties(
  node: unknown,
  path: string,
): Generator<[string, JSONSchema]> {
  if (node === null || typeof node !== "object") return;
  const schema = node as JSONSchema;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childPath = path ? `${path}.${key}` : key;
    yield [childPath, child as JSONSchema];
    yield* properties(child, childPath);
  }
  for (const key of ["items", "additionalProperties"]) {
    yield* properties(schema[key], `${path}[]`);
  }
  for (const key of ["anyOf", "oneOf", "prefixItems"]) {
    for (const child of (schema[key] ?? []) as unknown[]) {
      yield* properties(child, path);
    }
  }
}

/** The property schema at the dotted PATH (`[]` steps into list items). */
function propertyAt(path: string): JSONSchema {
  for (const [p, schema] of properties(limaYAMLJSONSchema(), "")) {
    if (p === path) return schema;
  }
  throw new Error(`no property ${path}`);
}

/** The values an editor offers for a property: its enum, or the enum of an anyOf branch. */
function enumOf(schema: JSONSchema): unknown[] {
  if (Array.isArray(schema.enum)) return schema.enum;
  const branches = (schema.anyOf ?? []) as JSONSchema[];
  return branches.flatMap((b) => (b.enum ?? []) as unknown[]);
}

Deno.test("every field of the JSON Schema has a one-sentence description", () => {
  const seen = [...properties(limaYAMLJSONSchema(), "")];
  assert.ok(seen.length > 150, `only ${seen.length} fields walked`);
  const missing = seen.filter(([, s]) =>
    typeof s.description !== "string" || !/^\S.*\.$/s.test(s.description)
  ).map(([p]) => p);
  assert.deepEqual(missing, []);
});

Deno.test("the JSON Schema lists the allowed values of closed fields", () => {
  const expected: Record<string, string[]> = {
    os: ["Linux", "Darwin", "FreeBSD", "Windows"],
    arch: [...ARCHS],
    mountType: ["reverse-sshfs", "9p", "virtiofs", "wsl2"],
    "mountTypesUnsupported[]": ["reverse-sshfs", "9p", "virtiofs", "wsl2"],
    vmType: ["qemu", "vz", "wsl2"],
    "images[].arch": [...ARCHS],
    "firmware.images[].vmType": ["qemu", "vz"],
    "audio.interface": ["hda", "virtio"],
    "audio.device": ["none", "default"],
    "video.display": ["none", "default", "vnc"],
    "portForwards[].proto": ["tcp", "udp", "any"],
    "provision[].mode": ["system", "user", "boot", "data", "yq"],
    "provision[].format": ["auto", "json", "yaml"],
    "probes[].mode": ["readiness"],
    "mounts[].sshfs.sftpDriver": ["builtin", "openssh-sftp-server"],
    "mounts[].9p.securityModel": ["passthrough", "mapped-xattr", "none"],
    "mounts[].9p.protocolVersion": ["9p2000", "9p2000.u", "9p2000.L"],
    "mounts[].9p.cache": ["none", "loose", "fscache", "mmap"],
    "vmOpts.vz.diskImageFormat": ["raw", "asif"],
  };
  for (const [path, values] of Object.entries(expected)) {
    const schema = path === "mountTypesUnsupported[]"
      ? (propertyAt("mountTypesUnsupported").anyOf as JSONSchema[])
        .map((b) => b.items as JSONSchema).find(Boolean)!
      : propertyAt(path);
    const allowed = enumOf(schema);
    for (const value of values) {
      assert.ok(allowed.includes(value), `${path}: ${value}`);
    }
  }
  // The enums are JSON Schema metadata only: validate/ reports wrong values in Lima's words.
  assert.ok(LimaYAMLSchema.safeParse({ arch: "sparc", vmType: "ext" }).success);
});

Deno.test("vmType offers the built-in drivers without refusing third-party ones", async () => {
  const { builtinDrivers } = await import("../../drivers/builtin.ts");
  assert.deepEqual(
    [...BUILTIN_VM_TYPES].sort(),
    Object.keys(builtinDrivers).sort(),
  );
  assert.ok(
    (propertyAt("vmType").anyOf as JSONSchema[]).some((b) =>
      b.type === "string" && !b.enum
    ),
  );
});
