import assert from "node:assert/strict";
import { goJSON } from "./go_json.ts";

Deno.test("goJSON escapes what Go's json.Marshal escapes", () => {
  assert.equal(
    goJSON({ a: "<b> & \u2028\u2029", n: 1, t: true }),
    '{"a":"\\u003cb\\u003e \\u0026 \\u2028\\u2029","n":1,"t":true}',
  );
  assert.equal(JSON.parse(goJSON({ s: "x<y\n" })).s, "x<y\n");
});

Deno.test("goJSON indents as json.MarshalIndent when asked", () => {
  assert.equal(
    goJSON({ a: [1], s: "<" }, "    "),
    '{\n    "a": [\n        1\n    ],\n    "s": "\\u003c"\n}',
  );
});
