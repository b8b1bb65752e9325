import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  indent,
  json,
  limaFuncs,
  missing,
  stringFuncs,
  yaml,
} from "./funcs.ts";
import { renderGoTemplate } from "./mod.ts";

Deno.test("json is compact, keeps object key order, sorts map keys, no HTML escaping", () => {
  assert.equal(
    json({
      name: "x",
      cpus: 4,
      tags: ["<a>", "&"],
      env: new Map([["Z", "1"], ["A", "2"]]),
    }),
    '{"name":"x","cpus":4,"tags":["<a>","&"],"env":{"A":"2","Z":"1"}}',
  );
  assert.equal(
    json({ gone: undefined, kept: null, f: () => 1 }),
    '{"kept":null}',
  );
  assert.equal(json([undefined, 1.5]), "[null,1.5]");
  assert.equal(json(undefined), "null");
  assert.equal(json("a\u2028b"), '"a\\u2028b"');
  assert.equal(json(new Date(0)), '"1970-01-01T00:00:00.000Z"');
  assert.throws(() => json(Number.NaN), {
    message: "json: unsupported value: NaN",
  });
});

Deno.test("yaml starts with a document marker and round-trips", () => {
  const value = {
    name: "x",
    list: [1, "two"],
    nested: { a: true },
    env: new Map([["b", 1], ["a", 2]]),
  };
  const text = yaml(value);
  assert.ok(text.startsWith("---\n"));
  assert.ok(!text.endsWith("\n"));
  assert.match(text, /\nlist:\n- 1\n- two\n/);
  assert.ok(text.includes("env:\n  a: 2\n  b: 1"), text);
  assert.deepEqual(parse(text), {
    name: "x",
    list: [1, "two"],
    nested: { a: true },
    env: { a: 2, b: 1 },
  });
  assert.equal(yaml(null), "---\nnull");
  const view = Object.defineProperty({ CPUs: 2 }, "toJSON", {
    value: () => ({ cpus: 2 }),
  });
  assert.equal(yaml(view), "---\ncpus: 2");
  assert.equal(json(view), '{"cpus":2}');
});

Deno.test("indent prefixes non-empty lines, default two spaces", () => {
  assert.equal(indent("a\nb"), "  a\n  b");
  assert.equal(indent(4, "a\n\nb\n"), "    a\n\n    b\n");
  assert.throws(() => indent("2", "a"), {
    message: "optional first argument must be an integer",
  });
  assert.throws(() => indent(2, 3), {
    message: "last argument must be a string",
  });
  assert.throws(() => indent(), {
    message: "function takes at least one string argument",
  });
  assert.throws(() => indent(1, 2, "a"), {
    message: "function takes at most 2 arguments",
  });
});

Deno.test("missing replaces empty or missing text with a message", () => {
  assert.equal(missing(""), "<missing>");
  assert.equal(missing("none", ""), "none");
  assert.equal(missing("none", null), "none");
  assert.equal(missing("none", "value"), "value");
  assert.throws(() => missing(1, "x"), {
    message: "optional first argument must be a string",
  });
});

Deno.test("Lima's functions work in templates, through pipelines too", () => {
  const opts = { name: "format", funcs: limaFuncs };
  const data = {
    Name: "default",
    Message: "line1\nline2",
    Param: new Map(),
    Config: { cpus: 4 },
  };
  assert.equal(renderGoTemplate("{{json .Config}}", data, opts), '{"cpus":4}');
  assert.equal(
    renderGoTemplate("{{.Message | indent 2}}", data, opts),
    "  line1\n  line2",
  );
  assert.equal(
    renderGoTemplate('{{missing "n/a" .Param.Foo}}', data, opts),
    "n/a",
  );
  assert.equal(
    renderGoTemplate('{{.Name | missing "n/a"}}', data, opts),
    "default",
  );
  assert.throws(() => renderGoTemplate("{{indent 1 2}}", data, opts), {
    message:
      'template: format:1:2: executing "format" at <indent 1 2>: error calling indent: last argument must be a string',
  });
  assert.throws(() => renderGoTemplate("{{upper .Name}}", data, opts), {
    message: /function "upper" not defined/,
  });
});

Deno.test("string helpers are available separately", () => {
  const opts = { funcs: { ...limaFuncs, ...stringFuncs } };
  assert.equal(
    renderGoTemplate(
      '{{upper .}} {{lower .}} [{{trimSpace "  x "}}]',
      "Ab",
      opts,
    ),
    "AB ab [x]",
  );
  assert.throws(() => renderGoTemplate("{{upper 1}}", null, opts), {
    message: /error calling upper: upper needs a string argument/,
  });
});
