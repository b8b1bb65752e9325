/** `validate`, `template copy|validate|yq|list` and `generate-jsonschema` as a user runs them. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { laughs } from "../fixtures/laughs.ts";
import {
  assertFatal,
  assertInfo,
  limactlExpect,
  tempLimaHome,
} from "./helpers.ts";

const CORPUS =
  new URL("../../../shared/lima-templates/", import.meta.url).pathname;
const limaHome = await tempLimaHome();
const corpus = { limaHome, env: { LIMA_TEMPLATES_PATH: CORPUS } };

async function writeTemplate(name: string, text: string): Promise<string> {
  const path = join(limaHome, name);
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("validate logs OK for each good template", async () => {
  const { stderr } = await limactlExpect(0, [
    "validate",
    "template:docker",
    "template:debian",
  ], corpus);
  assertInfo(stderr, '"template:docker": OK');
  assertInfo(stderr, '"template:debian": OK');
});

Deno.test("validate stops at the first bad template, naming the file and the field", async () => {
  const bad = await writeTemplate(
    "bad-memory.yaml",
    "images: [{location: /etc/profile}]\nmemory: -4GiB\n",
  );
  const { stderr } = await limactlExpect(1, [
    "validate",
    "template:debian",
    bad,
  ], corpus);
  assertInfo(stderr, '"template:debian": OK');
  assertFatal(stderr, `failed to validate YAML file ${JSON.stringify(bad)}: …`);
  assert.match(stderr, /memory/);
});

Deno.test("validate reports YAML syntax errors with the file", async () => {
  const bad = await writeTemplate("broken.yaml", "images: [\n");
  const { stderr } = await limactlExpect(1, ["validate", bad], corpus);
  assert.match(stderr, /failed to unmarshal YAML/);
  assert.ok(stderr.includes("broken.yaml"), stderr);
});

Deno.test("validate --fill prints the filled configuration", async () => {
  const path = await writeTemplate(
    "small.yaml",
    "images: [{location: /etc/profile}]\ncpus: 3\n",
  );
  const { stdout } = await limactlExpect(
    0,
    ["validate", "--fill", path],
    corpus,
  );
  const filled = parse(stdout);
  assert.equal(filled.cpus, 3);
  assert.equal(filled.disk, "100GiB");
  assert.equal(filled.images[0].location, "/etc/profile");
  assert.ok(filled.user.name, "user defaults are filled");
});

Deno.test("template copy --embed of `base: FILE` reproduces FILE", async () => {
  for (const name of ["docker.yaml", "ubuntu-24.04.yaml", "k3s.yaml"]) {
    const file = join(CORPUS, name);
    const { stdout } = await limactlExpect(0, [
      "tmpl",
      "copy",
      "--embed",
      "-",
      "-",
    ], {
      ...corpus,
      stdin: `base: ${file}`,
    });
    assert.equal(stdout, await Deno.readTextFile(file), name);
  }
});

Deno.test("template copy writes DEST and writes nothing when the template is bad", async () => {
  const dest = join(limaHome, "copied.yaml");
  await limactlExpect(
    0,
    ["template", "copy", "template:debian-12", dest],
    corpus,
  );
  assert.match(await Deno.readTextFile(dest), /debian/);

  const missing = join(limaHome, "never-written.yaml");
  await limactlExpect(
    1,
    ["template", "copy", "/nonexistent/x.yaml", missing],
    corpus,
  );
  await assert.rejects(Deno.stat(missing), Deno.errors.NotFound);
});

Deno.test("template copy: --fill implies --embed-all and --embed; only --verbatim refuses them", async () => {
  for (const flag of ["--embed", "--embed-all", "--fill"]) {
    const { stderr } = await limactlExpect(1, [
      "template",
      "copy",
      "--verbatim",
      flag,
      "template:docker",
    ], corpus);
    assertFatal(
      stderr,
      "--verbatim cannot be used with any of --embed, --embed-all, or --fill",
    );
  }
  const fill = await limactlExpect(
    0,
    ["template", "copy", "--fill", "template:docker", "-"],
    corpus,
  );
  const all = await limactlExpect(0, [
    "template",
    "copy",
    "--embed",
    "--embed-all",
    "--fill",
    "template:docker",
    "-",
  ], corpus);
  assert.equal(all.stdout, fill.stdout);
  assert.match(fill.stdout, /\ncpus: \d+\n/);
});

Deno.test("template copy, yq and url have Lima's help", async () => {
  const help = async (...words: string[]) =>
    (await limactlExpect(0, ["template", ...words, "--help"], { limaHome }))
      .stdout;
  const root = await help();
  assert.match(root, /\n {2}copy {8}Copy template\n/);
  assert.match(root, /\n {2}yq {10}Query template expressions\n/);
  assert.match(
    await help("copy"),
    /^Copy a template via locator to a local file or stdout \(default\)\n\nUsage:\n {2}limactl template copy \[OPTIONS\] TEMPLATE \[DEST\] \[flags\]\n\nExamples:\n {2}Template locators are local files, file:\/\/, https:\/\/, or template: URLs\n[^]*\nFlags:\n {6}--embed {7}Embed external dependencies into template\n {6}--embed-all {3}Embed all dependencies into template\n {6}--fill {8}Fill defaults\n/,
  );
  assert.match(
    await help("yq"),
    /^Use the builtin YQ evaluator to extract information from a template\.\n[^]*\nUsage:\n {2}limactl template yq TEMPLATE EXPR \[flags\]\n/,
  );
  assert.match(
    await help("url"),
    /\nUsage:\n {2}limactl template url CUSTOM_URL \[flags\]\n/,
  );
});

Deno.test("template yq evaluates against the embedded, filled template", async () => {
  const { stdout } = await limactlExpect(0, [
    "template",
    "yq",
    "template:docker",
    ".containerd.user",
  ], corpus);
  assert.equal(stdout.trim(), "false");
  const arch = await limactlExpect(0, [
    "template",
    "yq",
    "template:default",
    ".arch",
  ], { limaHome });
  assert.match(arch.stdout.trim(), /^(x86_64|aarch64)$/);
});

Deno.test("template list shows the built-in templates without internal ones", async () => {
  const { stdout } = await limactlExpect(0, ["template", "list"], { limaHome });
  const names = stdout.trim().split("\n");
  assert.ok(names.includes("default"), stdout);
  assert.ok(!names.some((n) => n.startsWith("_")), stdout);
});

Deno.test("generate-jsonschema prints a schema with every top-level field", async () => {
  const { stdout } = await limactlExpect(0, ["generate-jsonschema"], {
    limaHome,
  });
  const schema = JSON.parse(stdout);
  for (
    const field of [
      "images",
      "cpus",
      "memory",
      "mounts",
      "provision",
      "portForwards",
      "param",
    ]
  ) {
    assert.ok(field in schema.properties, field);
  }
});

Deno.test("generate-jsonschema --schemafile FILE… writes the schema and validates each file, as Lima does", async () => {
  const schemaFile = join(limaHome, "schema-limayaml.json");
  const good = join(CORPUS, "default.yaml");
  const { stdout, stderr } = await limactlExpect(0, [
    "generate-jsonschema",
    "--schemafile",
    schemaFile,
    good,
  ], { limaHome });
  assert.equal(stdout, "");
  assertInfo(stderr, `\`${good}\`: OK`);
  const schema = JSON.parse(await Deno.readTextFile(schemaFile));
  assert.equal(typeof schema.properties.cpus.description, "string");
});

Deno.test("generate-jsonschema stops at the first invalid file, naming it and the field", async () => {
  const schemaFile = join(limaHome, "schema-bad.json");
  const bad = await writeTemplate("schema-bad.yaml", "cpus: two\n");
  const { stderr } = await limactlExpect(1, [
    "generate-jsonschema",
    "--schemafile",
    schemaFile,
    bad,
    join(CORPUS, "default.yaml"),
  ], { limaHome });
  assert.ok(
    stderr.includes(
      `level=fatal msg="\`${bad}\`: jsonschema validation failed with 'file://`,
    ),
    stderr,
  );
  assert.ok(stderr.includes("- at '/cpus': got string, want integer"), stderr);
  assert.ok(!stderr.includes("OK"), "files after the bad one are not checked");
});

Deno.test("generate-jsonschema needs --schemafile to validate files", async () => {
  const { stderr } = await limactlExpect(1, [
    "generate-jsonschema",
    join(CORPUS, "default.yaml"),
  ], { limaHome });
  assertFatal(stderr, "need --schemafile to validate");
});

Deno.test("info reports the installation as Lima does", async () => {
  const { stdout } = await limactlExpect(0, ["info"], { limaHome });
  const info = JSON.parse(stdout);
  assert.ok(stdout.startsWith('{\n    "version": '), "indented by 4 spaces");
  for (
    const key of [
      "version",
      "templates",
      "defaultTemplate",
      "limaHome",
      "vmTypes",
      "vmTypesEx",
      "guestAgents",
      "shellEnvBlock",
      "hostOS",
      "hostArch",
      "identityFile",
      "plugins",
    ]
  ) assert.ok(key in info, key);
  assert.equal(info.limaHome, await Deno.realPath(limaHome));
  assert.equal(info.identityFile, join(info.limaHome, "_config", "user"));
  assert.ok(info.vmTypes.includes("qemu"));
  assert.deepEqual(info.vmTypesEx.qemu, { location: "internal" });
  assert.ok(
    info.defaultTemplate.images.length > 0,
    "the default template is filled",
  );
  assert.ok(info.templates.some((t: { name: string }) => t.name === "default"));
});

Deno.test("info --yq selects part of the report", async () => {
  const { stdout } = await limactlExpect(0, ["info", "--yq", ".vmTypes"], {
    limaHome,
  });
  assert.ok(JSON.parse(stdout).includes("vz"));
});

Deno.test("vmType may name an installed driver module by path; unknown names are refused", async () => {
  const driver =
    new URL("../fixtures/example-driver/mod.ts", import.meta.url).pathname;
  const byPath = await writeTemplate(
    "by-path.yaml",
    `images: [{location: /etc/profile}]\nvmType: ${driver}\n`,
  );
  const notInstalled = await limactlExpect(1, ["validate", byPath], {
    limaHome,
  });
  assert.match(
    notInstalled.stderr,
    /names a driver that is not installed.*limactl driver install \/\S+example-driver\/mod\.ts/,
  );
  await limactlExpect(0, ["driver", "install", "--yes", driver], { limaHome });
  await limactlExpect(0, ["validate", byPath], { limaHome });
  await limactlExpect(0, ["driver", "remove", "example"], { limaHome });
  const unknown = await writeTemplate(
    "unknown.yaml",
    "images: [{location: /etc/profile}]\nvmType: nosuch\n",
  );
  const { stderr } = await limactlExpect(1, ["validate", unknown], {
    limaHome,
  });
  assert.match(stderr, /vmType \\"nosuch\\" is not a registered driver/);
});

Deno.test("templates are read only up to 4 MiB from every source, naming it", async () => {
  const limit = "exceeds the size limit of 4194304 bytes (4 MiB)";
  const zero = await limactlExpect(1, ["validate", "/dev/zero"], corpus);
  assertFatal(
    zero.stderr,
    `failed to validate YAML file "/dev/zero": failed to read template "/dev/zero": file "/dev/zero" ${limit}`,
  );

  const stdin = await limactlExpect(
    1,
    ["create", "--tty=false", "--name", "big", "-"],
    { ...corpus, stdin: "#".repeat(5 * 1024 * 1024) },
  );
  assertFatal(
    stdin.stderr,
    `failed to read template "-": standard input ${limit}`,
  );
  await assert.rejects(Deno.stat(join(limaHome, "big")), Deno.errors.NotFound);

  const base = await writeTemplate("zero-base.yaml", "base: /dev/zero\n");
  assert.ok(
    (await limactlExpect(1, ["validate", base], corpus)).stderr.includes(
      `file \\"/dev/zero\\" ${limit}`,
    ),
  );
  const script = await writeTemplate(
    "zero-script.yaml",
    "images: [{location: /etc/profile}]\nprovision: [{mode: system, file: /dev/zero}]\n",
  );
  assert.ok(
    (await limactlExpect(1, ["create", "--tty=false", script], corpus)).stderr
      .includes(`file \\"/dev/zero\\" ${limit}`),
  );
});

Deno.test("a template with invalid UTF-8 is refused, naming the line", async () => {
  const path = join(limaHome, "latin1.yaml");
  await Deno.writeFile(
    path,
    new Uint8Array([
      ...new TextEncoder().encode("images: [{location: /etc/profile}]\n"),
      ...new TextEncoder().encode("message: caf"),
      0xe9,
      0x0a,
    ]),
  );
  for (const command of [["validate"], ["create", "--tty=false"]]) {
    const { stderr } = await limactlExpect(1, [...command, path], corpus);
    assert.ok(
      stderr.includes("the template is not valid UTF-8: line 2"),
      stderr,
    );
  }
  await assert.rejects(
    Deno.stat(join(limaHome, "latin1")),
    Deno.errors.NotFound,
  );
});

Deno.test("a billion-laughs template or lima.yaml is refused at once by validate, create and --set", async () => {
  const text = `images: [{location: /etc/profile}]\n${
    laughs(9, 9)
  }mounts: *l9\n`;
  const path = await writeTemplate("laughs.yaml", text);
  const stored = join(limaHome, "laughing", "lima.yaml");
  await Deno.mkdir(join(limaHome, "laughing"));
  await Deno.writeTextFile(stored, text);
  for (
    const [command, file] of [
      [["validate", path], path],
      [["create", "--tty=false", path], path],
      [["create", "--tty=false", "--set", ".cpus = 2", path], path],
      [["edit", "--tty=false", "--set", ".cpus = 2", "laughing"], stored],
    ] as const
  ) {
    const started = performance.now();
    const { stderr } = await limactlExpect(1, [...command], corpus);
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 5, `${command.join(" ")} took ${seconds} s`);
    assert.ok(stderr.includes("document contains excessive aliasing"), stderr);
    assert.ok(stderr.includes(file), stderr);
  }
});

Deno.test("validate and create refuse the same broken message template, and create leaves nothing", async () => {
  const path = await writeTemplate(
    "badmsg.yaml",
    'images: [{location: /etc/profile}]\nmessage: "{{.NoSuchField}}"\n',
  );
  for (const command of [["validate"], ["create", "--tty=false"]]) {
    const { stderr } = await limactlExpect(1, [...command, path], corpus);
    assert.ok(
      stderr.includes("cannot execute template `{{.NoSuchField}}`"),
      stderr,
    );
  }
  await assert.rejects(
    Deno.stat(join(limaHome, "badmsg")),
    Deno.errors.NotFound,
  );
  const good = await writeTemplate(
    "goodmsg.yaml",
    'images: [{location: /etc/profile}]\nmessage: "Hello {{.Name}} in {{.Dir}}"\n',
  );
  await limactlExpect(0, ["validate", good], corpus);
  // docker.yaml's message reads `.Instance.Config`, as Lima's template data allows.
  await limactlExpect(0, ["create", "--tty=false", "template:docker"], corpus);
});
