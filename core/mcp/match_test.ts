import assert from "node:assert/strict";
import { hasMeta, pathMatch } from "./match.ts";

Deno.test("pathMatch follows Go's path.Match", () => {
  const cases: [string, string, boolean][] = [
    ["*", "abc", true],
    ["*", "a/b", false],
    ["*.ts", "main.ts", true],
    ["*.ts", "main.tsx", false],
    ["a*b*c", "axxbyyc", true],
    ["a*b", "a/b", false],
    ["?", "x", true],
    ["?", "/", false],
    ["??", "x", false],
    ["[a-c]x", "bx", true],
    ["[^a-c]x", "bx", false],
    ["[^a-c]x", "dx", true],
    ["[\\]]", "]", true],
    ["\\*", "*", true],
    ["\\*", "x", false],
    ["💡*", "💡 idea", true],
    ["[💡]", "💡", true],
  ];
  for (const [pattern, name, want] of cases) {
    assert.equal(pathMatch(pattern, name), want, `${pattern} ~ ${name}`);
  }
});

Deno.test("a malformed pattern is a syntax error even where it would not match", () => {
  for (const pattern of ["[", "[a", "[]a]", "[a-]", "x\\", "[^]", "zz[a"]) {
    assert.throws(() => pathMatch(pattern, "b"), {
      message: "syntax error in pattern",
    }, pattern);
  }
});

Deno.test("hasMeta finds the characters pathMatch treats specially", () => {
  assert.deepEqual(
    ["a/b.txt", "a*", "a?", "a[b]", "a\\b"].map(hasMeta),
    [false, true, true, true, true],
  );
});
