import assert from "node:assert/strict";
import { goFileMode, goTime } from "./file_info.ts";

Deno.test("POSIX modes become Go's fs.FileMode numbers", () => {
  assert.equal(goFileMode(0o100644), 0o644);
  assert.equal(goFileMode(0o040755), 2 ** 31 + 0o755);
  assert.equal(goFileMode(0o120777), 2 ** 27 + 0o777);
  assert.equal(goFileMode(0o041777), 2 ** 31 + 2 ** 20 + 0o777);
  assert.equal(goFileMode(0o104755), 2 ** 23 + 0o755);
  assert.equal(goFileMode(0o020620), 2 ** 26 + 2 ** 21 + 0o620);
});

Deno.test("times are RFC 3339 in the host's zone, Z for UTC", () => {
  const text = goTime(1_700_000_000);
  assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  assert.equal(new Date(text).getTime(), 1_700_000_000_000);
  if (new Date(0).getTimezoneOffset() === 0 && !Deno.env.get("TZ")) {
    assert.equal(text, "2023-11-14T22:13:20Z");
  }
});
