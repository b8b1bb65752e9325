import assert from "node:assert/strict";
import { join } from "node:path";
import { LimaError } from "../errors.ts";
import { laughs } from "../../tests/fixtures/laughs.ts";
import { fieldPath, NON_STRICT_WARNING, parseLimaYAML } from "./parse.ts";

function parse(text: string, strict = false) {
  const warnings: string[] = [];
  const y = parseLimaYAML(text, {
    file: "test.yaml",
    warn: (m) => warnings.push(m),
    strict,
  });
  return { y, warnings };
}

function parseError(text: string, strict = false): string {
  try {
    parse(text, strict);
  } catch (err) {
    assert.ok(err instanceof LimaError, String(err));
    return err.message;
  }
  assert.fail("expected a LimaError");
}

Deno.test("fieldPath renders list indexes and keys like messages do", () => {
  assert.equal(fieldPath(["mounts", 1, "mountPoint"]), "mounts[1].mountPoint");
  assert.equal(fieldPath(["mounts", 0, "9p", "msize"]), "mounts[0].9p.msize");
  assert.equal(fieldPath(["cpus"]), "cpus");
});

Deno.test("an empty document is an empty config", () => {
  assert.deepEqual(parse("").y, {});
  assert.deepEqual(parse("# only a comment\n").y, {});
});

Deno.test("null values stay unset", () => {
  const { y } = parse(
    "cpus: null\nmemory: ~\nadditionalDisks:\nssh:\n  localPort: null\n",
  );
  assert.equal(y.cpus, null);
  assert.equal(y.memory, null);
  assert.equal(y.additionalDisks, null);
  assert.equal(y.ssh?.localPort, null);
});

Deno.test("YAML syntax errors name the file and the line:column", () => {
  const message = parseError("cpus: 2\nimages: [\n  - location: x\n");
  assert.match(
    message,
    /^failed to unmarshal YAML \(test\.yaml\): line \d+:\d+: /,
  );
  assert.match(parseError("a: b: c\n"), /line 1:\d+: /);
});

Deno.test("duplicate keys are a syntax error", () => {
  assert.match(
    parseError("cpus: 1\ncpus: 2\n"),
    /failed to unmarshal YAML \(test\.yaml\): line 2:1: Map keys must be unique/,
  );
});

Deno.test("a document that is not a mapping is rejected", () => {
  assert.match(
    parseError("- a\n- b\n"),
    /must be a mapping of lima\.yaml fields, got a list/,
  );
  assert.match(parseError("just text\n"), /got string "just text"/);
});

Deno.test("type errors name the field path, the line and the expected type", () => {
  const message = parseError(
    [
      "cpus: four",
      "memory: [1]",
      "ssh: {localPort: x}",
      "mounts:",
      "- location: /a",
      "  writable: maybe",
      "portForwards: [{guestPortRange: [1]}]",
      "env: {A: [x]}",
      "images: {location: x}",
      "provision: [{file: {digest: abc}}]",
      "additionalDisks: [[x]]",
      "cpus2: 1",
    ].join("\n"),
  );
  assert.match(
    message,
    /line 1: field `cpus` must be an integer, got string "four"/,
  );
  assert.match(message, /line 2: field `memory` must be a string, got a list/);
  assert.match(
    message,
    /line 3: field `ssh\.localPort` must be an integer, got string "x"/,
  );
  assert.match(
    message,
    /line 6: field `mounts\[0\]\.writable` must be a boolean \(true or false\), got string "maybe"/,
  );
  assert.match(
    message,
    /field `portForwards\[0\]\.guestPortRange` must be a list of exactly 2 integers/,
  );
  assert.match(message, /field `env\.A` must be a string, got a list/);
  assert.match(message, /field `images` must be a list, got a mapping/);
  assert.match(message, /field `provision\[0\]\.file\.url` must be set/);
  assert.match(
    message,
    /field `additionalDisks\[0\]` must be a string or a mapping, got a list/,
  );
});

Deno.test("fractional cpus are rejected", () => {
  assert.match(
    parseError("cpus: 1.5\n"),
    /field `cpus` must be an integer, got number 1\.5/,
  );
});

Deno.test("unknown fields warn once, naming each path, and parsing continues", () => {
  const { y, warnings } = parse(
    "cpus: 2\ncpu: 4\nssh: {localport: 1}\nmounts: [{location: /a, writeable: true}]\n",
  );
  assert.equal(y.cpus, 2);
  assert.equal(warnings.length, 1);
  assert.ok(warnings[0].startsWith(NON_STRICT_WARNING));
  assert.match(warnings[0], /line 2: unknown field `cpu`/);
  assert.match(warnings[0], /unknown field `ssh\.localport`/);
  assert.match(warnings[0], /unknown field `mounts\[0\]\.writeable`/);
  assert.equal((y as Record<string, unknown>).cpu, undefined);
});

Deno.test("unknown fields are errors in strict mode", () => {
  assert.match(
    parseError("cpu: 4\n", true),
    /failed to unmarshal YAML \(test\.yaml\): line 1: unknown field `cpu`/,
  );
});

Deno.test("other drivers' options under vmOpts are not unknown fields", () => {
  const { y, warnings } = parse(
    "vmOpts: {krunkit: {gpu: true}, qemu: {minimumVersion: 8.2.0}}\n",
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(y.vmOpts?.krunkit, { gpu: true });
  assert.equal(y.vmOpts?.qemu?.minimumVersion, "8.2.0");
});

Deno.test("unquoted numbers in string fields keep their source text", () => {
  const { y } = parse(
    "memory: 4096\nparam: {Version: 1.10, Mode: 0644}\nenv: {DEBUG: true}\nprovision:\n- mode: data\n  permissions: 0755\n",
  );
  assert.equal(y.memory, "4096");
  assert.deepEqual(y.param, { Version: "1.10", Mode: "0644" });
  assert.deepEqual(y.env, { DEBUG: "true" });
  assert.equal(y.provision?.[0].permissions, "0755");
});

Deno.test("YAML 1.1 booleans are accepted in boolean fields only", () => {
  const { y } = parse("plain: yes\nssh: {forwardAgent: on}\nenv: {X: yes}\n");
  assert.equal(y.plain, true);
  assert.equal(y.ssh?.forwardAgent, true);
  assert.deepEqual(y.env, { X: "yes" });
});

Deno.test("polymorphic fields accept every documented form", () => {
  const { y } = parse(
    [
      "base: [template:ubuntu, {url: ./base.yaml, digest: 'sha256:00'}]",
      "additionalDisks: [data, {name: logs, format: false}]",
      "provision: [{file: ./a.sh}, {file: {url: ./b.sh}}]",
      "probes: [{file: ./p.sh}]",
    ].join("\n"),
  );
  assert.deepEqual(y.base, ["template:ubuntu", {
    url: "./base.yaml",
    digest: "sha256:00",
  }]);
  assert.deepEqual(y.additionalDisks, ["data", {
    name: "logs",
    format: false,
  }]);
  assert.equal(y.provision?.[0].file, "./a.sh");
  assert.deepEqual(y.provision?.[1].file, { url: "./b.sh" });
  assert.equal(parse("base: template:docker\n").y.base, "template:docker");
});

Deno.test("binary scalars (embedded scripts) are decoded", () => {
  const encoded = btoa("#!/bin/sh\necho hi\n");
  const { y } = parse(`provision:\n- script: !!binary ${encoded}\n`);
  assert.equal(y.provision?.[0].script, "#!/bin/sh\necho hi\n");
});

Deno.test("anchors, aliases and merge keys resolve", () => {
  const { y, warnings } = parse(
    "x-common: &c {writable: true}\nmounts:\n- <<: *c\n  location: /a\n- location: /b\n  <<: *c\n  writable: false\n",
  );
  assert.equal(y.mounts?.[0].writable, true);
  assert.equal(y.mounts?.[1].writable, false);
  assert.match(warnings[0], /unknown field `x-common`/);
});

const TEMPLATES = "/work/shared/lima-templates";

function templateFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory) {
      return e.name === "_hack-test-templates" ? [] : templateFiles(path);
    }
    return e.name.endsWith(".yaml") ? [path] : [];
  });
}

Deno.test({
  name:
    "every upstream template without base parses without unknown-field warnings",
  ignore: !Deno.statSync(TEMPLATES).isDirectory,
  fn() {
    let checked = 0;
    for (const file of templateFiles(TEMPLATES)) {
      const text = Deno.readTextFileSync(file);
      // Files whose whole content is another file name are symlinks in the upstream tree.
      if (/^[\w.-]+\.yaml\s*$/.test(text)) continue;
      if (/^base:/m.test(text)) continue;
      const warnings: string[] = [];
      parseLimaYAML(text, { file, warn: (m) => warnings.push(m) });
      assert.deepEqual(warnings, [], file);
      checked++;
    }
    assert.ok(checked > 5, `only ${checked} templates checked`);
  },
});

Deno.test({
  name: "every upstream template, with or without base, parses strictly",
  ignore: !Deno.statSync(TEMPLATES).isDirectory,
  fn() {
    for (const file of templateFiles(TEMPLATES)) {
      const text = Deno.readTextFileSync(file);
      if (/^[\w.-]+\.yaml\s*$/.test(text)) continue;
      parseLimaYAML(text, { file, strict: true });
    }
  },
});

Deno.test("alias expansion is bounded: a billion laughs fails at once, naming the file", () => {
  const started = performance.now();
  const message = parseError(`${laughs(7, 8)}additionalDisks: *l7\n`);
  assert.ok(
    performance.now() - started < 1000,
    `took ${performance.now() - started} ms`,
  );
  assert.match(
    message,
    /failed to unmarshal YAML \(test\.yaml\): document contains excessive aliasing/,
  );
  assert.match(parseError("x: &a [*a]\ncpus: *a\n"), /excessive aliasing/);
});

Deno.test("parse time is linear: 60,000 keys read in under 3 s", () => {
  const keys = Array.from({ length: 60_000 }, (_, i) => `  k${i}: v\n`);
  const started = performance.now();
  const { y } = parse(`env:\n${keys.join("")}`);
  const took = performance.now() - started;
  assert.equal(Object.keys(y.env ?? {}).length, 60_000);
  // The pairwise duplicate-key check took about 20 s here.
  assert.ok(took < 3000, `took ${took} ms`);
});

Deno.test("duplicate keys are found in nested and flow mappings, and merge keys still read", () => {
  assert.match(
    parseError("env:\n  A: a\n  B: b\n  A: c\n"),
    /line 4:3: Map keys must be unique/,
  );
  assert.match(
    parseError("param: {a: 1, a: 2}\n"),
    /line 1:15: Map keys must be unique/,
  );
  assert.deepEqual(
    parse("x: &x {A: a}\ny: &y {B: b}\nenv: {<<: *x, <<: *y}\n").y.env,
    { A: "a", B: "b" },
  );
});

Deno.test("nesting is bounded: deep documents fail at once, naming the line", () => {
  const started = performance.now();
  assert.match(
    parseError("[".repeat(2_000_000)),
    /failed to unmarshal YAML \(test\.yaml\): line 1:101: collections are nested more than 100 levels deep/,
  );
  assert.match(
    parseError(`cpus: 1\nx: ${"{a: ".repeat(1000)}${"}".repeat(1000)}\n`),
    /line 2:\d+: collections are nested more than 100 levels deep/,
  );
  const block = Array.from({ length: 200 }, (_, i) => `${" ".repeat(i)}- \n`);
  assert.match(
    parseError(`x:\n${block.join("")}`),
    /line 102:\d+: collections are nested more than 100 levels deep/,
  );
  assert.match(
    parseError(`x:\n  ${"- ".repeat(500)}a\n`),
    /line 2:\d+: collections are nested more than 100 levels deep/,
  );
  const took = performance.now() - started;
  assert.ok(took < 1000, `took ${took} ms`);
  // Ordinary nesting, with comments, block scalars and flow text, is untouched.
  const { y } = parse(
    `provision:\n- mode: system\n  script: |\n    [[[[ {{{{\n# [[[[\nparam: {a: "[[[["}\n`,
  );
  assert.equal(y.param?.a, "[[[[");
  parse(`x: ${"[".repeat(99)}${"]".repeat(99)}\n`);
});

Deno.test("ordinary anchors and aliases still read", () => {
  const { y } = parse(
    "x-env: &env {A: a}\nenv: *env\nparam: {<<: *env, B: b}\n",
  );
  assert.deepEqual(y.env, { A: "a" });
  assert.deepEqual(y.param, { A: "a", B: "b" });
});
