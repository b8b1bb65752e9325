import assert from "node:assert/strict";
import { goFileMode } from "./file_info.ts";

Deno.test("POSIX modes become Go's fs.FileMode numbers", () => {
  assert.equal(goFileMode(0o100644), 0o644);
  assert.equal(goFileMode(0o040755), 2 ** 31 + 0o755);
  assert.equal(goFileMode(0o120777), 2 ** 27 + 0o777);
  assert.equal(goFileMode(0o041777), 2 ** 31 + 2 ** 20 + 0o777);
  assert.equal(goFileMode(0o104755), 2 ** 23 + 0o755);
  assert.equal(goFileMode(0o020620), 2 ** 26 + 2 ** 21 + 0o620);
});
