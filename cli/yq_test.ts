import {
  deepStrictEqual,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { runYqOnFiles } from "../core/yq/run_files.ts";
import { parseYqArgs } from "./yq.ts";

Deno.test("parseYqArgs: yq's flag spellings", () => {
  const a = parseYqArgs(["-n", "-o", "json", "-I", "0", ".foo=42"]);
  deepStrictEqual([a.nullInput, a.output, a.indent, a.expression, a.files], [
    true,
    "json",
    0,
    ".foo=42",
    [],
  ]);
  const b = parseYqArgs([
    "-o=json",
    "-ir",
    "--indent=4",
    "eval",
    ".a",
    "x.yaml",
    "-",
  ]);
  deepStrictEqual(
    [b.output, b.inPlace, b.raw, b.indent, b.expression, b.files],
    ["json", true, true, 4, ".a", ["x.yaml", "-"]],
  );
  strictEqual(parseYqArgs(["-oj", "."]).output, "json");
  strictEqual(parseYqArgs(["--security-disable-env-ops", "."]).envOps, false);
  strictEqual(parseYqArgs(["-V"]).version, true);
  strictEqual(parseYqArgs(["--", "-a"]).expression, "-a");
  throws(
    () => parseYqArgs(["-o", "toml", "."]),
    /unknown output format "toml"/,
  );
  throws(() => parseYqArgs(["--bogus", "."]), /unknown flag: --bogus/);
});

Deno.test("runYqOnFiles: reads stdin, prints each file's results, edits in place", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = `${dir}/a.yaml`;
    const b = `${dir}/b.yaml`;
    await Deno.writeTextFile(a, "# keep\nx: 1\n");
    await Deno.writeTextFile(b, "x: 2\n");
    strictEqual(
      await runYqOnFiles({ expression: ".x", files: [a, b] }),
      "1\n---\n2\n",
    );
    strictEqual(
      await runYqOnFiles({
        expression: ".y = .x",
        files: [],
        readStdin: () => Promise.resolve("x: 3\n"),
      }),
      "x: 3\ny: 3\n",
    );
    strictEqual(
      await runYqOnFiles({
        expression: ".x += 10",
        files: [a, b],
        inPlace: true,
      }),
      "",
    );
    strictEqual(await Deno.readTextFile(a), "# keep\nx: 11\n");
    strictEqual(await Deno.readTextFile(b), "x: 12\n");
    // A failure in any file leaves all of them untouched.
    await Deno.writeTextFile(b, "x: {a: 1}\n");
    await rejects(
      runYqOnFiles({ expression: ".x += 10", files: [a, b], inPlace: true }),
      /cannot be added/,
    );
    strictEqual(await Deno.readTextFile(a), "# keep\nx: 11\n");
    await rejects(
      runYqOnFiles({ expression: ".", files: [], inPlace: true }),
      /write in place flag/,
    );
    await rejects(
      runYqOnFiles({ expression: ".", files: [`${dir}/missing.yaml`] }),
      /failed to read file/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const stdin = (text: string) => () => Promise.resolve(text);

Deno.test("runYqOnFiles: one result per document, separated as mikefarah yq's printer does", async () => {
  const run = (expression: string) =>
    runYqOnFiles({
      expression,
      files: [],
      readStdin: stdin("a: 1\n---\na: 2\n---\nb: 3\n"),
    });
  // A value the expression makes up belongs to no document: no `---` before it.
  strictEqual(await run("true"), "true\ntrue\ntrue\n");
  strictEqual(await run("length"), "1\n1\n1\n");
  strictEqual(await run("keys[0]"), "a\na\nb\n");
  strictEqual(await run(".a"), "1\n---\n2\n---\nnull\n");
  strictEqual(await run(".a + 1"), "2\n---\n3\n---\n1\n");
  strictEqual(await run('.b // "d"'), "d\nd\n---\n3\n");
  strictEqual(await run("1, .a"), "1\n1\n1\n---\n2\n---\n1\n---\nnull\n");
  strictEqual(await run("select(.b)"), "b: 3\n");
  strictEqual(await run("document_index"), "0\n1\n2\n");
  // eval-all evaluates all documents at once.
  strictEqual(
    await runYqOnFiles({
      expression: "select(di == 0) * select(di == 1)",
      files: [],
      all: true,
      readStdin: stdin("a: 1\n---\nb: 2\n"),
    }),
    "a: 1\nb: 2\n",
  );
});

Deno.test("runYqOnFiles: JSON input is a stream of values, pretty-printed or not", async () => {
  const text =
    '{\n  "a": 1\n}\n{\n  "b": {\n    "c": "x}"\n  }\n}\n{"a": 3} {"a": 4}\n';
  strictEqual(
    await runYqOnFiles({
      expression: ".",
      files: [],
      inputFormat: "json",
      readStdin: stdin(text),
    }),
    "a: 1\n---\nb:\n  c: x}\n---\na: 3\n---\na: 4\n",
  );
  strictEqual(
    await runYqOnFiles({
      expression: ".a",
      files: [],
      inputFormat: "json",
      output: "json",
      readStdin: stdin(text),
    }),
    "1\nnull\n3\n4\n",
  );
  const dir = await Deno.makeTempDir();
  try {
    // yq's `auto` input format reads a .json file as JSON.
    await Deno.writeTextFile(`${dir}/s.json`, text);
    strictEqual(
      await runYqOnFiles({ expression: ".a", files: [`${dir}/s.json`] }),
      "1\n---\nnull\n---\n3\n---\n4\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await rejects(
    runYqOnFiles({
      expression: ".",
      files: [],
      inputFormat: "json",
      readStdin: stdin("{"),
    }),
    /invalid JSON/,
  );
});

Deno.test("parseYqArgs: -p and eval-all", () => {
  strictEqual(parseYqArgs(["-p", "json", "."]).inputFormat, "json");
  strictEqual(parseYqArgs(["-pj", "."]).inputFormat, "json");
  strictEqual(parseYqArgs(["."]).inputFormat, "auto");
  strictEqual(parseYqArgs(["."]).output, undefined);
  strictEqual(parseYqArgs(["ea", "."]).all, true);
  strictEqual(parseYqArgs(["eval", "."]).all, false);
});
