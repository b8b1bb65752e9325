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
      "1\n2\n",
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
