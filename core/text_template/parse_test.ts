import assert from "node:assert/strict";
import { GoTemplateError, parseGoTemplate } from "./mod.ts";

function parseError(text: string, name = "format"): string {
  try {
    parseGoTemplate(text, { name });
  } catch (e) {
    assert.ok(
      e instanceof GoTemplateError,
      `expected GoTemplateError for ${text}`,
    );
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(text)} to fail to parse`);
}

Deno.test("parse errors use Go's wording with template name and line", () => {
  const cases: [string, string][] = [
    ["{{.Name}", 'template: format:1: unexpected "}" in operand'],
    ["{{.Name", "template: format:1: unclosed action"],
    ["{{}}", "template: format:1: missing value for command"],
    ["{{if}}x{{end}}", "template: format:1: missing value for if"],
    ["{{range}}x{{end}}", "template: format:1: missing value for range"],
    ["{{end}}", "template: format:1: unexpected {{end}}"],
    ["{{else}}", "template: format:1: unexpected {{else}}"],
    ["{{if .X}}open", "template: format:1: unexpected EOF"],
    ["{{nope .X}}", 'template: format:1: function "nope" not defined'],
    ["{{$x}}", 'template: format:1: undefined variable "$x"'],
    ["{{$x = 1}}", 'template: format:1: undefined variable "$x"'],
    ['{{"abc}}', "template: format:1: unterminated quoted string"],
    ["{{`abc}}", "template: format:1: unterminated raw quoted string"],
    ["{{/* open }}", "template: format:1: unclosed comment"],
    [
      "{{/* c */ .X}}",
      "template: format:1: comment ends before closing delimiter",
    ],
    ["{{(.X}}", "template: format:1: unclosed left paren"],
    ["{{.X)}}", "template: format:1: unexpected right paren"],
    [
      "{{.X | 3}}",
      "template: format:1: non executable command in pipeline stage 2",
    ],
    ["{{break}}", "template: format:1: {{break}} outside {{range}}"],
    ["{{continue}}", "template: format:1: {{continue}} outside {{range}}"],
    ['{{"a".X}}', 'template: format:1: unexpected . after term "\\"a\\""'],
    ["{{3x}}", 'template: format:1: bad number syntax: "3x"'],
    ["{{$a, $b := .}}", "template: format:1: too many declarations in command"],
    ["{{.X | }}", "template: format:1: missing command after pipe"],
    ["{{end x}}", 'template: format:1: unexpected "x" in end'],
    [
      '{{define "a"}}x{{end}}{{define "a"}}y{{end}}',
      'template: format:1: template: multiple definition of template "a"',
    ],
  ];
  for (const [text, message] of cases) {
    assert.equal(parseError(text), message, text);
  }
});

Deno.test("parse errors report the line of the offending token", () => {
  assert.equal(
    parseError("a\nb\n{{.X\n}"),
    'template: format:4: unexpected "}" in operand',
  );
  assert.equal(
    parseError("{{if .X}}\n\n{{else}}\n"),
    "template: format:4: unexpected EOF",
  );
  assert.equal(
    parseError("x\n{{.A\n.B"),
    "template: format:3: unclosed action started at format:2",
  );
});

Deno.test("the template name defaults to template", () => {
  assert.throws(() => parseGoTemplate("{{.X}"), {
    message: /^template: template:1: /,
  });
});

Deno.test("variables are scoped to their control structure", () => {
  assert.equal(
    parseError("{{if true}}{{$x := 1}}{{end}}{{$x}}"),
    'template: format:1: undefined variable "$x"',
  );
  assert.equal(
    parseError("{{range $i, $v := .}}{{end}}{{$v}}"),
    'template: format:1: undefined variable "$v"',
  );
  assert.equal(
    parseError('{{define "t"}}{{$y}}{{end}}'),
    'template: format:1: undefined variable "$y"',
  );
});

Deno.test("functions given in options are known to the parser", () => {
  assert.doesNotThrow(() =>
    parseGoTemplate("{{shout .}}", { funcs: { shout: String } })
  );
  assert.throws(() => parseGoTemplate("{{shout .}}"), {
    message: /function "shout" not defined/,
  });
});
