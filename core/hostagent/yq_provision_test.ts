import assert from "node:assert/strict";
import { parse } from "yaml";
import type { LimaYAML } from "../config/schema.ts";
import { evaluateYqProvision, yqProvisions } from "./yq_provision.ts";

Deno.test("yq provisions keep the seed's ids, their index in the provision list", () => {
  const config = parse(`
provision:
- {mode: system, script: "true"}
- {mode: yq, path: /etc/a.yaml, expression: .a = 1}
`) as LimaYAML;
  assert.deepEqual(yqProvisions(config), [
    { id: "00000001", path: "/etc/a.yaml", expression: ".a = 1" },
  ]);
});

const p = { id: "00000000", path: "/etc/x", expression: ".a.b += [2]" };

Deno.test("a yq provision edits YAML keeping comments, and creates JSON from null", () => {
  assert.equal(
    evaluateYqProvision(p, "yaml", "# note\na:\n  b: [1]\n"),
    "# note\na:\n  b: [1, 2]\n",
  );
  assert.equal(
    evaluateYqProvision(p, "json", undefined),
    '{\n  "a": {\n    "b": [\n      2\n    ]\n  }\n}\n',
  );
});

Deno.test("a yq provision fails on a bad expression or a format limactl's yq lacks", () => {
  assert.throws(
    () => evaluateYqProvision({ ...p, expression: ".a = " }, "yaml", ""),
    /\/etc\/x: failed to evaluate yq expression `\.a = `/,
  );
  assert.throws(
    () => evaluateYqProvision(p, "toml", ""),
    /the format toml needs yq in the guest/,
  );
});
