import assert from "node:assert/strict";
import { readLines } from "./read_lines.ts";

Deno.test("readLines joins lines split across chunks and skips blank ones", async () => {
  const chunks = ["a\n  b", "c \n\n", "last"].map((s) =>
    new TextEncoder().encode(s)
  );
  const stream = ReadableStream.from(chunks);
  assert.deepEqual(await Array.fromAsync(readLines(stream)), [
    "a",
    "bc",
    "last",
  ]);
});
