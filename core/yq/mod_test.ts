import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { laughs } from "../../tests/fixtures/laughs.ts";
import { LimaError } from "../errors.ts";
import { FUNCTION_NAMES } from "./functions.ts";
import {
  applyYq,
  evaluateYamlStream,
  evaluateYq,
  formatYqResults,
} from "./mod.ts";

/** The LimaError FN throws. */
function errorOf(fn: () => unknown): LimaError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LimaError) return err;
    throw err;
  }
  throw new Error("expected an error");
}

/** A lima.yaml in the style of the shipped templates: documentation comments everywhere. */
const TEMPLATE = `# Example instance.
# It has comments at the top.

minimumLimaVersion: 2.0.0

# VM type: "qemu", "vz", "krunkit"
# 🟢 Builtin default: "qemu"
vmType: null

# CPUs
# 🟢 Builtin default: min(4, host CPU cores)
cpus: null

# Memory size
memory: null  # line comment on memory

images:
# Try the dated image first.
- location: "https://example.com/images/noble-amd64.img"
  arch: "x86_64"
  variant: "server"
- location: "https://example.com/images/noble-arm64.img"
  arch: "aarch64"
  variant: "server"
# Minimal images.
- location: "https://example.com/images/minimal-amd64.img"
  arch: "x86_64"
  variant: "minimal"

mounts:
- location: "~"
  # Configure the mountPoint inside the guest.
  mountPoint: null
- location: "/tmp/lima"
  writable: true

mountTypesUnsupported: [9p]

# Lima disks to attach to the instance.
additionalDisks:
# disks should either be a list of disk name strings, for example:
# - "data"


caCerts:
  # If set to true, the default CA certificates are removed.
  removeDefaults: null
  # A list of trusted CA certificates.
  certs:
  #   -----BEGIN CERTIFICATE-----
  #
  #   -----END CERTIFICATE-----

# Static host names.
hostResolver:
  # 🟢 Builtin default: true
  enabled: null

param:
  release: v1.35

# Port forwarding rules.
portForwards:
- guestPort: 80
  hostPort: 8080
`;

Deno.test("applyYq: the identity expression reproduces the file byte for byte", () => {
  deepStrictEqual(applyYq(TEMPLATE, "."), TEMPLATE);
});

Deno.test("applyYq: an empty expression returns the text unchanged", () => {
  strictEqual(applyYq("a:   1\n", ""), "a:   1\n");
});

Deno.test("applyYq: = sets scalars and keeps the comments around them", () => {
  const out = applyYq(TEMPLATE, '.cpus = 4 | .memory = "2GiB"');
  match(
    out,
    /# CPUs\n# 🟢 Builtin default: min\(4, host CPU cores\)\ncpus: 4\n/,
  );
  match(out, /# Memory size\nmemory: 2GiB {2}# line comment on memory\n/);
  // Only those two lines changed.
  const changed = out.split("\n").filter((line, i) =>
    line !== TEMPLATE.split("\n")[i]
  );
  deepStrictEqual(changed, [
    "cpus: 4",
    "memory: 2GiB  # line comment on memory",
  ]);
});

Deno.test("applyYq: strings that look like other types are quoted, numbers and booleans are not", () => {
  const out = applyYq(
    "a: 1\n",
    '.s = "2GiB" | .t = "true" | .n = "42" | .b = true | .i = 7 | .f = 1.5 | .z = null',
  );
  deepStrictEqual(
    out,
    'a: 1\ns: 2GiB\nt: "true"\nn: "42"\nb: true\ni: 7\nf: 1.5\nz: null\n',
  );
});

Deno.test("applyYq: assigning into an empty or null document creates maps and sequences", () => {
  deepStrictEqual(applyYq("", ".a.b.c = 1"), "a:\n  b:\n    c: 1\n");
  deepStrictEqual(applyYq("null\n", '.list[1] = "x"'), "list:\n- null\n- x\n");
  deepStrictEqual(applyYq("", '.x += ["y"]'), "x:\n- y\n");
});

Deno.test("applyYq: += appends to lists, keeps flow style and existing item comments", () => {
  const out = applyYq(
    TEMPLATE,
    '.mountTypesUnsupported += ["virtiofs"] | .images += [{"location": "/x.img", "arch": "riscv64"}]',
  );
  match(out, /mountTypesUnsupported: \[9p, virtiofs\]\n/);
  match(
    out,
    /# Minimal images\.\n- location: "https:\/\/example.com\/images\/minimal-amd64.img"/,
  );
  match(
    out,
    / {2}variant: "minimal"\n- location: \/x.img\n {2}arch: riscv64\n\nmounts:/,
  );
});

Deno.test("applyYq: |= updates relative to each matched node", () => {
  const out = applyYq("a: [3, 1, 3, 2]\nb: 1\n", ".a |= unique | .b |= . + 1");
  deepStrictEqual(out, "a: [3, 1, 2]\nb: 2\n");
});

Deno.test("applyYq: del removes a key together with its documentation comment only", () => {
  const out = applyYq(TEMPLATE, "del(.vmType)");
  ok(!out.includes("vmType"));
  ok(!out.includes('# VM type: "qemu"'));
  match(out, /minimumLimaVersion: 2.0.0\n\n# CPUs\n/);
});

Deno.test("applyYq: del of list items by index and by select", () => {
  const byIndex = applyYq(TEMPLATE, "del(.mounts[0])");
  match(byIndex, /mounts:\n- location: "\/tmp\/lima"\n {2}writable: true\n/);
  const bySelect = applyYq(
    TEMPLATE,
    'del(.images[] | select(.arch == "x86_64"))',
  );
  deepStrictEqual([...bySelect.matchAll(/- location:/g)].length, 1 + 2);
  match(
    bySelect,
    /images:\n# Try the dated image first\.\n- location: "https:\/\/example.com\/images\/noble-arm64.img"/,
  );
});

Deno.test("applyYq: the --image-variant expression keeps matching images with their comments", () => {
  const out = applyYq(
    TEMPLATE,
    '.images = [.images[] | select(.variant == "minimal")]',
  );
  match(
    out,
    /images:\n# Try the dated image first\.\n# Minimal images\.\n- location: "https:\/\/example.com\/images\/minimal-amd64.img"\n {2}arch: "x86_64"\n {2}variant: "minimal"\n\nmounts:/,
  );
  match(
    applyYq(TEMPLATE, '.images = [.images[] | select(.variant == "none")]'),
    /\nimages: \[\] # Try the dated image first\.\n\nmounts:/,
  );
});

Deno.test("applyYq: .mounts[].writable = true sets the field on every mount", () => {
  const out = applyYq(TEMPLATE, ".mounts[].writable = true");
  match(
    out,
    /- location: "~"\n {2}# Configure the mountPoint inside the guest\.\n {2}mountPoint: null\n {2}writable: true\n/,
  );
  match(
    out,
    /- location: "\/tmp\/lima"\n {2}writable: true\n\nmountTypesUnsupported/,
  );
});

Deno.test("applyYq: paths that match nothing leave the document unchanged", () => {
  strictEqual(applyYq("a: 1\n", ".mounts[].writable = true"), "a: 1\n");
  strictEqual(
    applyYq(
      "a: 1\n",
      'del(.b) | del(.a.c) | .images = [.images[] | select(.variant == "x")]',
    ),
    "a: 1\nimages: []\n",
  );
});

Deno.test("applyYq: every edit-flag expression form applies to a commented template", () => {
  const expressions = [
    ".cpus = 2",
    '.dns += ["1.1.1.1","8.8.8.8"] | .dns |= unique | .hostResolver.enabled=false',
    '.memory = "2.5GiB"',
    '.mounts = [{"location": "/home/u/src", "mountPoint": "/home/u/src", "writable": true}] + .mounts',
    '.mountType = "virtiofs"',
    '.vmType = "vz"',
    ".mountInotify = true",
    ".mounts[].writable = false",
    '.networks += [{"lima": "shared"},{"vzNAT": true},{"lima": "shared"}] | .networks |= unique_by(.lima)',
    ".nestedVirtualization = true",
    ".vmOpts.vz.rosetta.enabled = true | .vmOpts.vz.rosetta.binfmt = true",
    '.param["release"] = "v1.36"',
    '.video.display = "default"',
    '.audio.device = "pa"',
    '.audio.interface = "virtio"',
    ".ssh.localPort = 60022",
    '.images = [.images[] | select(.variant == "server")]',
    '.arch = "aarch64"',
    ".containerd.user = false | .containerd.system = true",
    '.disk= "50GiB"',
    ".plain = true",
    '.portForwards += [{"guestPort": "443", "hostPort": "8443", "static": true}]',
    '.user.shell = "/bin/zsh"',
  ];
  const out = applyYq(TEMPLATE, expressions.join(" | "));
  const data = evaluateYamlStream(out, ".").map((r) =>
    r.node?.toJSON()
  )[0] as Record<string, unknown>;
  deepStrictEqual(data.cpus, 2);
  deepStrictEqual(data.dns, ["1.1.1.1", "8.8.8.8"]);
  deepStrictEqual(data.hostResolver, { enabled: false });
  deepStrictEqual(data.memory, "2.5GiB");
  deepStrictEqual(data.mounts, [
    { location: "/home/u/src", mountPoint: "/home/u/src", writable: false },
    { location: "~", mountPoint: null, writable: false },
    { location: "/tmp/lima", writable: false },
  ]);
  deepStrictEqual(data.mountType, "virtiofs");
  deepStrictEqual(data.vmType, "vz");
  deepStrictEqual(data.mountInotify, true);
  deepStrictEqual(data.networks, [{ lima: "shared" }, { vzNAT: true }]);
  deepStrictEqual(data.nestedVirtualization, true);
  deepStrictEqual(data.vmOpts, {
    vz: { rosetta: { enabled: true, binfmt: true } },
  });
  deepStrictEqual(data.param, { release: "v1.36" });
  deepStrictEqual(data.video, { display: "default" });
  deepStrictEqual(data.audio, { device: "pa", interface: "virtio" });
  deepStrictEqual(data.ssh, { localPort: 60022 });
  deepStrictEqual(
    (data.images as { variant: string }[]).map((i) => i.variant),
    ["server", "server"],
  );
  deepStrictEqual(data.arch, "aarch64");
  deepStrictEqual(data.containerd, { user: false, system: true });
  deepStrictEqual(data.disk, "50GiB");
  deepStrictEqual(data.plain, true);
  deepStrictEqual(data.portForwards, [{ guestPort: 80, hostPort: 8080 }, {
    guestPort: "443",
    hostPort: "8443",
    static: true,
  }]);
  deepStrictEqual(data.user, { shell: "/bin/zsh" });
  // The documentation comments are all still there, in order.
  const comments = (text: string) =>
    text.split("\n").filter((l) => l.trim().startsWith("#"));
  const kept = comments(out);
  for (
    const c of comments(TEMPLATE).filter((c) => !c.includes("Minimal images"))
  ) ok(kept.includes(c), c);
  match(
    out,
    /# CPUs\n# 🟢 Builtin default: min\(4, host CPU cores\)\ncpus: 2\n/,
  );
  match(
    out,
    /# Static host names\.\nhostResolver:\n {2}# 🟢 Builtin default: true\n {2}enabled: false\n/,
  );
});

Deno.test("applyYq: a key with comment lines but no value keeps them in place when filled", () => {
  const out = applyYq(
    TEMPLATE,
    '.additionalDisks += ["data"] | .caCerts.certs = ["PEM"]',
  );
  match(
    out,
    /additionalDisks:\n- data\n# disks should either be a list of disk name strings, for example:\n# - "data"\n\n\ncaCerts:/,
  );
  match(
    out,
    / {2}certs:\n {2}- PEM\n {2}# {3}-----BEGIN CERTIFICATE-----\n {2}#\n {2}# {3}-----END CERTIFICATE-----\n\n# Static/,
  );
});

Deno.test("applyYq: multi-document streams are edited document by document", () => {
  const out = applyYq("# one\na: 1\n---\n# two\nb: 2\n", ".c = 3");
  deepStrictEqual(out, "# one\na: 1\nc: 3\n---\n# two\nb: 2\nc: 3\n");
});

Deno.test("applyYq: multiply merges documents evaluated together", () => {
  const out = applyYq(
    "yolo: true\nfoo:\n  bar: 1\n  baz: 2\n---\nfoo:\n  bar: 3\n  fomo: false\n",
    "select(di == 0) * select(di == 1)",
  );
  deepStrictEqual(out, "yolo: true\nfoo:\n  bar: 3\n  baz: 2\n  fomo: false\n");
});

Deno.test("applyYq: output uses indentless sequences and LF line endings", () => {
  const out = applyYq("a:\r\n  - 1\r\n  - 2\r\n", ".b = [1]");
  deepStrictEqual(out, "a:\n- 1\n- 2\nb:\n- 1\n");
});

Deno.test("applyYq: syntax errors name the expression and the position", () => {
  const err = errorOf(() => applyYq("a: 1\n", ".a = ("));
  match(
    err.message,
    /^failed to evaluate yq expression `\.a = \(`: 1:7: unexpected end of expression$/,
  );
  match(
    errorOf(() => applyYq("a: 1\n", "arch: aarch64")).message,
    /invalid input text "arch: aarch64"/,
  );
  match(
    errorOf(() => applyYq("a: 1\n", '.a = "x')).message,
    /unterminated string/,
  );
  match(
    errorOf(() => applyYq("a: 1\n", ".a ===")).message,
    /invalid input text/,
  );
});

Deno.test("applyYq: env, load, load_str and system are disabled", () => {
  Deno.env.set("LIMA_YQ_TEST_VAR", "secret");
  try {
    for (
      const expr of [
        ".a = env(LIMA_YQ_TEST_VAR)",
        ".a = strenv(LIMA_YQ_TEST_VAR)",
      ]
    ) {
      match(
        errorOf(() => applyYq("a: 1\n", expr)).message,
        /env operations have been disabled/,
      );
    }
    for (
      const expr of ['.a = load("/etc/passwd")', '.a = load_str("/etc/passwd")']
    ) {
      match(
        errorOf(() => applyYq("a: 1\n", expr)).message,
        /file operations have been disabled/,
      );
    }
    match(
      errorOf(() => applyYq("a: 1\n", '.a = system("echo hi")')).message,
      /system operations are disabled/,
    );
  } finally {
    Deno.env.delete("LIMA_YQ_TEST_VAR");
  }
});

Deno.test("evaluateYamlStream: env is readable when the caller allows it", () => {
  Deno.env.set("LIMA_YQ_TEST_VAR", "42");
  try {
    const results = evaluateYamlStream(
      "",
      "env(LIMA_YQ_TEST_VAR), strenv(LIMA_YQ_TEST_VAR)",
      { envOps: true, nullInput: true },
    );
    deepStrictEqual(results.map((r) => r.node?.toJSON()), [42, "42"]);
  } finally {
    Deno.env.delete("LIMA_YQ_TEST_VAR");
  }
});

Deno.test("applyYq: bad YAML input is reported", () => {
  errorOf(() => applyYq("- foo: bar\n  foo\n  bar\n", "."));
});

Deno.test("evaluateYq: paths, iteration and pipes", () => {
  const input = {
    a: { b: [1, 2, 3] },
    "k-ey": "v",
    list: [{ n: "x" }, { n: "y" }],
  };
  deepStrictEqual(evaluateYq(input, ".a.b"), [[1, 2, 3]]);
  deepStrictEqual(evaluateYq(input, ".a.b[0]"), [1]);
  deepStrictEqual(evaluateYq(input, ".a.b[-1]"), [3]);
  deepStrictEqual(evaluateYq(input, ".a.b[]"), [1, 2, 3]);
  deepStrictEqual(evaluateYq(input, '.a["b"][1]'), [2]);
  deepStrictEqual(evaluateYq(input, ".k-ey"), ["v"]);
  deepStrictEqual(evaluateYq(input, ".list[].n"), ["x", "y"]);
  deepStrictEqual(evaluateYq(input, ".list[] | .n"), ["x", "y"]);
  deepStrictEqual(evaluateYq(input, ".missing.deeper"), [null]);
  deepStrictEqual(evaluateYq(input, ".a.b[1:]"), [[2, 3]]);
  deepStrictEqual(evaluateYq(input, "[..] | length"), [12]);
});

Deno.test("evaluateYq: literals, collections and arithmetic", () => {
  deepStrictEqual(evaluateYq(null, '"a\\tb\\"c"'), ['a\tb"c']);
  deepStrictEqual(evaluateYq(null, "1, -2.5, true, null"), [
    1,
    -2.5,
    true,
    null,
  ]);
  deepStrictEqual(
    evaluateYq(null, '{location: "/tmp", "writable": true, "n": 1 + 2}'),
    [{ location: "/tmp", writable: true, n: 3 }],
  );
  deepStrictEqual(evaluateYq(null, "[1, 2] + [3]"), [[1, 2, 3]]);
  deepStrictEqual(evaluateYq(null, '"ab" + "cd"'), ["abcd"]);
  deepStrictEqual(evaluateYq(null, '{"a": 1, "b": 2} + {"b": 3}'), [{
    a: 1,
    b: 3,
  }]);
  deepStrictEqual(evaluateYq(null, "[1, 2, 3, 2] - [2]"), [[1, 3]]);
  deepStrictEqual(evaluateYq(null, "10 - 4, 3 * 2, 7 % 3, 9 / 3"), [
    6,
    6,
    1,
    3,
  ]);
  deepStrictEqual(
    evaluateYq(null, '{"a": {"x": 1, "y": 2}} * {"a": {"y": 3}}'),
    [{ a: { x: 1, y: 3 } }],
  );
  deepStrictEqual(evaluateYq(null, "null + 1"), [1]);
});

Deno.test("evaluateYq: operator precedence is yq's, not jq's", () => {
  // `,` binds loosest, then and/or, then `|`; arithmetic operators share one level.
  deepStrictEqual(
    evaluateYq({ a: [1, 2], b: "xyz" }, ".a | length, .b | length"),
    [2, 3],
  );
  deepStrictEqual(
    evaluateYq({ a: 1, b: 2 }, ".a == 1 and .b == 2, .a == 2 or .b == 3"),
    [true, false],
  );
  deepStrictEqual(evaluateYq(null, "1 + 2 * 3"), [9]);
  deepStrictEqual(evaluateYq({ a: null }, '.b = .a // "x" | .b'), ["x"]);
});

Deno.test("evaluateYq: comparison, boolean logic and alternative", () => {
  deepStrictEqual(
    evaluateYq(null, "1 == 1, 1 != 1, 1 < 2, 2 <= 1, 3 > 2, 3 >= 3"),
    [true, false, true, false, true, true],
  );
  deepStrictEqual(evaluateYq(null, '"a" < "b", [1] == [1]'), [true, true]);
  deepStrictEqual(
    evaluateYq(null, "true and false, true or false, (false | not)"),
    [false, true, true],
  );
  deepStrictEqual(
    evaluateYq({ a: null, b: "x" }, '.a // "default", .b // "default"'),
    ["default", "x"],
  );
  deepStrictEqual(evaluateYq({ a: false }, ".a // 5"), [5]);
});

Deno.test("evaluateYq: functions", () => {
  const data = {
    l: [3, 1, 2, 1],
    m: { b: 1, a: 2 },
    s: "Hello, World",
    objs: [{ k: 2, n: "b" }, { k: 1, n: "a" }, { k: 2, n: "c" }],
  };
  deepStrictEqual(evaluateYq(data, ".l | unique"), [[3, 1, 2]]);
  deepStrictEqual(evaluateYq(data, ".objs | unique_by(.k) | map(.n)"), [[
    "b",
    "a",
  ]]);
  deepStrictEqual(
    evaluateYq(data, "(.l | length), (.m | length), (.s | length)"),
    [4, 2, 12],
  );
  deepStrictEqual(evaluateYq(data, ".m | keys"), [["b", "a"]]);
  deepStrictEqual(evaluateYq(data, '.m | (has("a"), has("z"))'), [true, false]);
  deepStrictEqual(evaluateYq(data, ".l | map(. * 10)"), [[30, 10, 20, 10]]);
  deepStrictEqual(evaluateYq(data, ".m | to_entries"), [[
    { key: "b", value: 1 },
    { key: "a", value: 2 },
  ]]);
  deepStrictEqual(evaluateYq(data, ".m | with_entries(.value += 1)"), [{
    b: 2,
    a: 3,
  }]);
  deepStrictEqual(evaluateYq(data, '.s | (test("^Hello"), test("xyz"))'), [
    true,
    false,
  ]);
  deepStrictEqual(
    evaluateYq(data, '(.s | contains("World")), (.l | contains([3]))'),
    [true, true],
  );
  deepStrictEqual(evaluateYq(data, ".l | sort"), [[1, 1, 2, 3]]);
  deepStrictEqual(evaluateYq(data, ".objs | sort_by(.n) | map(.n)"), [[
    "a",
    "b",
    "c",
  ]]);
  deepStrictEqual(evaluateYq(data, ".l | first, .l | last"), [3, 1]);
  deepStrictEqual(
    evaluateYq(data, ".m | type, .l | tag, .s | type, .l[0] | type"),
    ["!!map", "!!seq", "!!str", "!!int"],
  );
  deepStrictEqual(evaluateYq(data, ".objs[] | select(.k == 2) | .n"), [
    "b",
    "c",
  ]);
  deepStrictEqual(evaluateYq(data, '.s | split(", ") | join("/")'), [
    "Hello/World",
  ]);
  deepStrictEqual(
    evaluateYq(data, '.s | sub("World"; "Lima") | ascii_downcase'),
    ["hello, lima"],
  );
  deepStrictEqual(evaluateYq(data, ".l | (add, min, max)"), [7, 1, 3]);
  deepStrictEqual(evaluateYq(data, "del(.objs) | keys"), [["l", "m", "s"]]);
  deepStrictEqual(evaluateYq(data, ".l as $x | $x | length"), [4]);
  deepStrictEqual(
    evaluateYq(data, 'if .l[0] > 2 then "big" else "small" end'),
    ["big"],
  );
  deepStrictEqual(evaluateYq(data, ".m | to_json"), ['{"b":1,"a":2}']);
});

Deno.test("evaluateYq: select keeps the matching list entries (limactl list --filter)", () => {
  const inst = { name: "a", status: "Running", config: { cpus: 4 } };
  deepStrictEqual(
    evaluateYq(
      inst,
      'select(.status == "Running" and .config.cpus >= 4) | .name',
    ),
    ["a"],
  );
  deepStrictEqual(evaluateYq(inst, 'select(.status == "Stopped")'), []);
});

Deno.test("evaluateYq: the input value is not modified by assignments", () => {
  const input = { a: 1 };
  deepStrictEqual(evaluateYq(input, ".a = 2 | .b = 3"), [{ a: 2, b: 3 }]);
  deepStrictEqual(input, { a: 1 });
});

Deno.test("evaluateYq: unknown functions and type errors fail clearly", () => {
  match(
    errorOf(() => evaluateYq({}, "frobnicate")).message,
    /invalid input text "frobnicate"/,
  );
  match(
    errorOf(() => evaluateYq({ a: "x" }, ".a + {}")).message,
    /cannot be added/,
  );
  match(
    errorOf(() => evaluateYq({ a: 1 }, ".a | unique")).message,
    /only be applied to arrays/,
  );
  match(
    errorOf(() => evaluateYq({ a: 1 }, ".a[]")).message,
    /cannot iterate over !!int/,
  );
});

Deno.test("every known function name is implemented by the evaluator", () => {
  for (const name of FUNCTION_NAMES) {
    try {
      evaluateYamlStream("a: 1\n", `${name}(.a; .a; .a)`);
    } catch (err) {
      ok(
        !/unknown operator/.test((err as Error).message),
        `${name}: ${(err as Error).message}`,
      );
    }
  }
});

Deno.test("formatYqResults: scalars are unwrapped in YAML, JSON honours indent and raw", () => {
  const results = evaluateYamlStream("a: x\nb: {c: 1}\n", ".a, .b");
  deepStrictEqual(formatYqResults(results), "x\n{c: 1}\n");
  deepStrictEqual(
    formatYqResults(results, { output: "json", indent: 0 }),
    '"x"\n{"c":1}\n',
  );
  deepStrictEqual(
    formatYqResults(results, { output: "json", indent: 0, raw: true }),
    'x\n{"c":1}\n',
  );
  deepStrictEqual(
    formatYqResults(
      evaluateYamlStream("", "{}", { nullInput: true }).concat(),
      { output: "json" },
    ),
    "{}\n",
  );
});

Deno.test("applyYq: a deeply nested document fails at once, naming the line", () => {
  const started = performance.now();
  const err = errorOf(() =>
    applyYq(`cpus: 1\nx: ${"[".repeat(2_000_000)}`, ".cpus = 2")
  );
  ok(
    performance.now() - started < 1000,
    `took ${performance.now() - started} ms`,
  );
  match(
    err.message,
    /collections are nested more than 100 levels deep at line 2, column \d+/,
  );
});

Deno.test("applyYq: a document with excessive aliasing fails at once", () => {
  const started = performance.now();
  const err = errorOf(() =>
    applyYq(
      `${laughs(7, 8)}cpus: 1\n`,
      '.cpus = (."x-laughs" | tojson | length)',
    )
  );
  ok(
    performance.now() - started < 1000,
    `took ${performance.now() - started} ms`,
  );
  match(err.message, /document contains excessive aliasing/);
  strictEqual(
    applyYq("a: &a {b: 1}\nc: *a\n", ".d = (.c | tojson)"),
    "a: &a {b: 1}\nc: *a\nd: '{\"b\":1}'\n",
  );
});
