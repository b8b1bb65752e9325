/**
 * lima-yq, the yq of guests without one: the same expressions give the same results as the
 * yq that `limactl` itself embeds, and its command line edits files the way boot.sh calls it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { evaluateYq } from "../../yq/mod.ts";
import { havePyYAML as python } from "../_isolated.ts";
import { GUEST_YQ } from "./guest_yq.ts";

const CI = Deno.env.get("CI") === "true";
if (!python) {
  if (CI) throw new Error("python3 with PyYAML is missing in CI");
  console.error("yq_test: skipped, python3 with PyYAML is missing");
}

async function limaYq(
  args: string[],
  stdin = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command("python3", {
    args: ["-c", GUEST_YQ, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

/** Expressions as templates write them, each with an input document. */
const CASES: [unknown, string][] = [
  [null, ".features.cdi = true | .features.containerd-snapshotter = false"],
  [{ features: { buildkit: true } }, ".features.cdi = true"],
  [null, '.YQ = "value"'],
  [null, '.a.b[2] = "x"'],
  [{ a: [1, 2] }, '.a += [3] | .b += ["x"]'],
  [{ a: 1 }, ".a |= . + 1"],
  [{ a: 5 }, ".a -= 2 | .b //= .a"],
  [{ a: { b: 1, c: 2 } }, "del(.a.b)"],
  [{ a: { b: { x: 1 } } }, '. * {"a": {"b": {"y": 2}, "c": [1]}}'],
  [{ a: { b: 1 } }, '.a *= {"c": 2}'],
  [
    { items: [{ name: "x", v: 1 }, { name: "y", v: 2 }] },
    '.items[] | select(.name == "y") | .v',
  ],
  [{ items: [{ v: 1 }, { v: 2 }] }, ".items[].v |= . * 10"],
  [{ a: null }, '.a // "default"'],
  [{ a: 1, b: "s" }, '{"k": .a, "l": [.a, .b], b}'],
  [{ a: true }, 'if .a then "yes" else "no" end'],
  [{ a: 0 }, 'if .a == 1 then "one" elif .a == 0 then "zero" end'],
  [{ a: 1 }, '[has("a"), has("b")]'],
  [{ b: 1, a: 2 }, "keys"],
  [
    { s: "four", l: [1, 2], m: { x: 1 }, n: null },
    "[.s, .l, .m, .n] | .[] | length",
  ],
  [{ a: true, b: false }, "[.a and .b, .a or .b, (.b | not)]"],
  [{ list: ["a", "b", "c"] }, '.list - ["b"]'],
  [null, '."quoted key" = 1 | .["other key"] = 2'],
  [{ arr: [1, 2, 3] }, "[.arr[-1], .arr[0]]"],
  [{ n: 5 }, "[.n / 2, .n % 3, .n - 1 + 2 * 3, -.n]"],
  [{ s: "a" }, '.s + "b"'],
  [{ a: { x: 1 } }, '.a + {"y": 2}'],
  [{ a: 1 }, ".a, .b"],
  [{ a: 1 }, ".a = .a + 1 | .c = .a"],
  [{ a: 1 }, '.a == 1, .a != 1, .a < 2, .a >= 2, "b" > "a"'],
  [{ a: { b: 1 } }, ".a.b? , .x.y"],
  [{}, "# a comment\n.a = 1 # another\n"],
];

Deno.test({
  name: "lima-yq gives the results of the embedded yq",
  ignore: !python,
}, async () => {
  for (const [input, expression] of CASES) {
    const expected = evaluateYq(input, expression);
    const r = await limaYq(
      ["--input-format", "json", "--output-format", "json", expression],
      JSON.stringify(input),
    );
    assert.equal(r.code, 0, `${expression}: ${r.stderr}`);
    assert.equal(
      r.stdout,
      expected.map((v) => JSON.stringify(v, null, 2) + "\n").join(""),
      expression,
    );
  }
});

Deno.test({
  name: "lima-yq fails with a message where yq fails",
  ignore: !python,
}, async () => {
  for (
    const [expression, message] of [
      [".a = ", /unexpected end of expression/],
      [".a | frobnicate", /frobnicate is not supported by lima-yq/],
      [".s + 1", /cannot be added/],
      [".s[0]", /cannot index !!str/],
      ['"x" = 1', /not part of the document/],
    ] as const
  ) {
    const r = await limaYq(
      ["--input-format", "json", expression],
      '{"s": "text"}',
    );
    assert.equal(r.code, 1, expression);
    assert.match(r.stderr, message, expression);
    assert.match(r.stderr, /^Error: /);
  }
  const toml = await limaYq(["--null-input", "--output-format", "toml", "."]);
  assert.equal(toml.code, 1);
  assert.match(toml.stderr, /the format toml needs yq in the guest/);
});

Deno.test({
  name: "lima-yq creates and edits files as boot.sh runs it",
  ignore: !python,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-yq-" });
  try {
    const expr = join(dir, "expr");
    await Deno.writeTextFile(expr, '.features.cdi = true | .list += ["b"]\n');
    const created = await limaYq([
      "--null-input",
      "--from-file",
      expr,
      "--output-format",
      "yaml",
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, "features:\n  cdi: true\nlist:\n- b\n");

    const file = join(dir, "conf.yaml");
    await Deno.writeTextFile(
      file,
      "# settings\nlist: [a]\nkeep: 1\n---\nx: 1\n",
    );
    await Deno.chmod(file, 0o640);
    const edited = await limaYq([
      "--inplace",
      "--from-file",
      expr,
      "--input-format",
      "yaml",
      "--output-format",
      "yaml",
      file,
    ]);
    assert.equal(edited.code, 0, edited.stderr);
    assert.equal(edited.stdout, "");
    assert.equal(
      await Deno.readTextFile(file),
      "list:\n- a\n- b\nkeep: 1\nfeatures:\n  cdi: true\n---\nx: 1\nfeatures:\n  cdi: true\nlist:\n- b\n",
    );
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o640);

    const json = join(dir, "daemon.json");
    await Deno.writeTextFile(json, '{"debug": true}');
    const r = await limaYq([
      "--inplace",
      "--from-file",
      expr,
      "--input-format",
      "json",
      "--output-format",
      "json",
      json,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(json)), {
      debug: true,
      features: { cdi: true },
      list: ["b"],
    });

    const bad = await limaYq([
      "--inplace",
      ".a = ",
      "--input-format",
      "json",
      json,
    ]);
    assert.equal(bad.code, 1);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(json)).features,
      { cdi: true },
      "a failed edit leaves the file alone",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
