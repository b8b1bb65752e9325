import assert from "node:assert/strict";
import { colorizeJSON } from "./colorize.ts";
import { deleteEmptyObjects } from "./list.ts";

Deno.test("deleteEmptyObjects removes empty maps at any depth, also ones emptied by the removal", () => {
  assert.deepEqual(
    deleteEmptyObjects({
      a: {},
      b: { c: {}, d: 1 },
      e: [{}, { f: { g: {} } }, 2],
      h: { i: { j: {} } },
      k: [],
    }),
    { b: { d: 1 }, e: [2], k: [] },
  );
});

Deno.test("colorized JSON is the same JSON once the escapes are removed", () => {
  const value = {
    name: "foo",
    n: 1,
    ok: true,
    none: null,
    list: [1, "x"],
    empty: {},
    nested: { a: [] },
  };
  // deno-lint-ignore no-control-regex
  const plain = colorizeJSON(value).replace(/\x1b\[[0-9;]*m/g, "");
  assert.deepEqual(JSON.parse(plain), value);
  assert.equal(plain, JSON.stringify(value, null, 4));
});
