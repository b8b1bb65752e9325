import assert from "node:assert/strict";
import { shellJoin, shellQuote } from "./shell_quote.ts";

Deno.test("shellQuote leaves safe words alone and single-quotes the rest", () => {
  assert.equal(shellQuote("/usr/bin/env"), "/usr/bin/env");
  assert.equal(shellQuote("a=b,c:d@e%f+g"), "a=b,c:d@e%f+g");
  assert.equal(shellQuote(""), "''");
  assert.equal(shellQuote("a b"), "'a b'");
  assert.equal(shellQuote("it's"), `'it'"'"'s'`);
  assert.equal(shellQuote("$HOME"), "'$HOME'");
  assert.equal(shellQuote("line1\nline2"), "'line1\nline2'");
});

Deno.test("shellJoin keeps leading assignments as assignments", () => {
  assert.equal(
    shellJoin(["FOO=a b", "BAR=1", "echo", "X=y z"]),
    `FOO='a b' BAR=1 echo 'X=y z'`,
  );
  assert.equal(shellJoin(["echo", "a b"]), "echo 'a b'");
});

Deno.test("a quoted command line survives a real shell unchanged", async () => {
  const args = ["a b", `'"`, "\n\techo foo\n", "$(x)", "", "*"];
  const line = shellJoin(["printf", "[%s]", ...args]);
  const out = await new Deno.Command("sh", {
    args: ["-c", `sh -c ${shellQuote(line)}`],
  }).output();
  assert.equal(
    new TextDecoder().decode(out.stdout),
    args.map((a) => `[${a}]`).join(""),
  );
});
