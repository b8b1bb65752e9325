import assert from "node:assert/strict";
import { goJSON } from "./go_json.ts";

Deno.test("goJSON escapes HTML characters and line separators as Go does", () => {
  assert.equal(
    goJSON({ s: "<a> & \u2028💡" }),
    '{"s":"\\u003ca\\u003e \\u0026 \\u2028💡"}',
  );
  assert.equal(
    goJSON({ a: [1] }, "    "),
    '{\n    "a": [\n        1\n    ]\n}',
  );
});
