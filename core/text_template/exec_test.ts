import assert from "node:assert/strict";
import { GoTemplateError, renderGoTemplate } from "./mod.ts";

const render = (text: string, data?: unknown) =>
  renderGoTemplate(text, data, { name: "format" });

function execError(text: string, data?: unknown): string {
  try {
    render(text, data);
  } catch (e) {
    assert.ok(e instanceof GoTemplateError);
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(text)} to fail`);
}

Deno.test("fields of objects, maps and nested data render like Go values", () => {
  const data = {
    Name: "default",
    Status: "Running",
    CPUs: 4,
    Ratio: 0.5,
    Protected: false,
  };
  assert.equal(render("{{.Name}} {{.Status}}", data), "default Running");
  assert.equal(
    render("{{.CPUs}}/{{.Ratio}}/{{.Protected}}", data),
    "4/0.5/false",
  );
  assert.equal(render("{{.A.B.C}}", { A: { B: { C: "deep" } } }), "deep");
  assert.equal(render("{{.}}", "plain"), "plain");
  assert.equal(render("{{.}}"), "<no value>");
});

Deno.test("a missing struct field is an execution error, a missing map key is <no value>", () => {
  assert.equal(
    execError("{{.Unknown}}", { Name: "x" }),
    'template: format:1:2: executing "format" at <.Unknown>: can\'t evaluate field Unknown in type struct',
  );
  assert.match(
    execError("x\n  {{.A.Nope}}", { A: {} }),
    /^template: format:2:6: executing "format" at <\.A\.Nope>: can't evaluate field Nope/,
  );
  const param = new Map([["Present", "yes"]]);
  assert.equal(
    render("{{.Param.Present}} {{.Param.Absent}}", { Param: param }),
    "yes <no value>",
  );
  assert.equal(
    render("{{.Param.Absent.Deeper}}", { Param: param }),
    "<no value>",
  );
  assert.equal(
    render("{{if .Param.Absent}}set{{else}}unset{{end}}", { Param: param }),
    "unset",
  );
  assert.equal(render("{{.M.k}}", { M: new Map([["k", null]]) }), "<no value>");
});

Deno.test("null struct fields print <nil>; fields of nil are errors", () => {
  assert.equal(render("{{.SSHAddress}}", { SSHAddress: null }), "<nil>");
  assert.match(
    execError("{{.Config.cpus}}", { Config: null }),
    /nil pointer evaluating interface \{\}\.cpus/,
  );
  assert.equal(render("{{print .Param.none}}", { Param: new Map() }), "<nil>");
});

Deno.test("class methods are called with arguments; own function fields are values", () => {
  class Instance {
    constructor(readonly first: string) {}
    Greeting(word: unknown) {
      return `${word}, ${this.first}`;
    }
    get Upper() {
      return this.first.toUpperCase();
    }
  }
  const data = new Instance("Ada");
  assert.equal(
    render('{{.Greeting "Hello"}} {{.Upper}}', data),
    "Hello, Ada ADA",
  );
  assert.match(
    execError("{{.first 1}}", data),
    /first has arguments but cannot be invoked as function/,
  );
  assert.match(
    execError("{{.Nope}}", data),
    /can't evaluate field Nope in type \*Instance/,
  );
  assert.match(execError("{{.toString}}", {}), /can't evaluate field toString/);
  assert.match(
    execError("{{.F}}", { F: () => 1 }),
    /can't print value of type func/,
  );
});

Deno.test("trim markers remove the whitespace on their side only", () => {
  assert.equal(render("a  {{- 1 -}}  b"), "a1b");
  assert.equal(render("a  {{- 1 }}  b"), "a1  b");
  assert.equal(render("a  {{ 1 -}} \n\t b"), "a  1b");
  assert.equal(render("{{- 3}}"), "3");
  assert.equal(render("{{-3}}"), "-3");
  assert.equal(render("x\n{{- /* note */ -}}\ny"), "xy");
  assert.equal(render("{{/* multi\nline */}}z"), "z");
});

Deno.test("if, else if and else pick the first true branch", () => {
  const t = "{{if .A}}a{{else if .B}}b{{else}}none{{end}}";
  assert.equal(render(t, { A: 1, B: 1 }), "a");
  assert.equal(render(t, { A: 0, B: "x" }), "b");
  assert.equal(render(t, { A: "", B: [] }), "none");
  assert.equal(render("{{if .}}t{{end}}", new Map([["k", 1]])), "t");
  assert.equal(render("{{if .}}t{{else}}f{{end}}", new Map()), "f");
});

Deno.test("with sets dot and falls back to else", () => {
  assert.equal(
    render("{{with .Config}}{{.arch}}{{end}}", { Config: { arch: "x86_64" } }),
    "x86_64",
  );
  assert.equal(
    render("{{with .X}}{{.}}{{else}}none{{end}}", { X: "" }),
    "none",
  );
  assert.equal(
    render("{{with .X}}x{{else with .Y}}{{.}}{{end}}", { X: 0, Y: "y" }),
    "y",
  );
  assert.equal(render("{{with $v := .X}}{{$v}}{{.}}{{end}}", { X: 7 }), "77");
});

Deno.test("range iterates slices, sorted maps, objects and integers", () => {
  assert.equal(render("{{range .}}[{{.}}]{{end}}", ["a", "b"]), "[a][b]");
  assert.equal(
    render("{{range $i, $v := .}}{{$i}}={{$v}} {{end}}", ["a", "b"]),
    "0=a 1=b ",
  );
  const env = new Map([["ZED", "1"], ["ALPHA", "2"], ["MID", "3"]]);
  assert.equal(
    render("{{range $k, $v := .}}{{$k}}={{$v}};{{end}}", env),
    "ALPHA=2;MID=3;ZED=1;",
  );
  assert.equal(
    render(
      "{{range $k, $v := .}}{{$k}}{{end}}",
      new Map([[10, 0], [9, 0], [100, 0]]),
    ),
    "910100",
  );
  assert.equal(
    render("{{range $k, $v := .}}{{$k}}:{{$v}} {{end}}", { b: 2, a: 1 }),
    "a:1 b:2 ",
  );
  assert.equal(render("{{range 3}}{{.}}{{end}}"), "012");
  assert.equal(render("{{range .}}x{{else}}empty{{end}}", []), "empty");
  assert.equal(
    render("{{range .Missing}}x{{else}}empty{{end}}", { Missing: null }),
    "empty",
  );
  assert.equal(render("{{range $x := .}}{{$x}}{{end}}", [1, 2]), "12");
  assert.match(
    execError("{{range .}}{{end}}", "str"),
    /range can't iterate over str/,
  );
});

Deno.test("break and continue control the innermost range", () => {
  const t =
    "{{range .}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}";
  assert.equal(render(t, [1, 2, 3, 4, 5]), "13");
  assert.equal(
    render("{{range .}}{{range .}}{{break}}{{end}}x{{end}}", [[1], [2]]),
    "xx",
  );
});

Deno.test("variables: $ is the data, := declares, = assigns across scopes", () => {
  assert.equal(
    render("{{range .Items}}{{$.Prefix}}{{.}} {{end}}", {
      Prefix: "-",
      Items: [1, 2],
    }),
    "-1 -2 ",
  );
  assert.equal(render("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}"), "2");
  assert.equal(render("{{$x := 1}}{{if true}}{{$x := 2}}{{end}}{{$x}}"), "1");
  assert.equal(
    render("{{$c := .Config}}{{$c.cpus}}", { Config: { cpus: 2 } }),
    "2",
  );
  assert.equal(
    render("{{$n := 0}}{{range .}}{{$n = .}}{{end}}{{$n}}", [5, 6]),
    "6",
  );
});

Deno.test("pipelines pass the previous value as the last argument", () => {
  assert.equal(render('{{.Name | printf "%s-%s" "x"}}', { Name: "n" }), "x-n");
  assert.equal(render('{{"a" | printf "%s%s" "b" | len}}'), "2");
  assert.equal(
    render('{{(.A).B}} {{(index . "A").B}}', { A: { B: "c" } }),
    "c c",
  );
  assert.equal(render("{{not (eq .X 1)}}", { X: 1 }), "false");
});

Deno.test("literals: strings, raw strings, numbers, runes, booleans", () => {
  assert.equal(render('{{"a\\tb\\u00e9"}}|{{`raw\\n`}}'), "a\tbé|raw\\n");
  assert.equal(
    render(
      "{{1_000}} {{0x1F}} {{0o17}} {{017}} {{0b101}} {{-2.5}} {{'a'}} {{'\\n'}}",
    ),
    "1000 31 15 15 5 -2.5 97 10",
  );
  assert.equal(render("{{true}} {{false}}"), "true false");
  assert.match(execError("{{nil}}"), /nil is not a command/);
  assert.match(execError("{{1 2}}"), /can't give argument to non-function 1/);
});

Deno.test("define, template and block", () => {
  const t =
    '{{define "row"}}<{{.}}>{{end}}{{range .}}{{template "row" .}}{{end}}';
  assert.equal(render(t, ["a", "b"]), "<a><b>");
  assert.equal(render('{{block "b" .}}[{{.}}]{{end}}', 1), "[1]");
  assert.equal(
    render('{{define "t"}}{{$}}{{end}}{{template "t" "inner"}}'),
    "inner",
  );
  assert.match(
    execError('{{template "none"}}'),
    /executing "format" at <\{\{template "none"\}\}>: template "none" not defined/,
  );
  assert.match(
    execError('{{define "t"}}{{.Nope}}{{end}}{{template "t" .}}', {}),
    /executing "t" at <\.Nope>/,
  );
  assert.match(
    execError('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}'),
    /exceeded maximum template depth/,
  );
});

Deno.test("and/or short-circuit and return an operand", () => {
  assert.equal(render("{{or .A .B}}", { A: "", B: "b" }), "b");
  assert.equal(render("{{and .A .B}}", { A: "a", B: 0 }), "0");
  assert.equal(render('{{or 0 ""}}'), "");
  // The right-hand side would fail if evaluated.
  assert.equal(render("{{and false .Nope}}", {}), "false");
  assert.equal(render("{{or true .Nope}}", {}), "true");
});

Deno.test("comparison functions follow Go's rules", () => {
  assert.equal(render("{{eq .X 1 2 3}} {{eq .X 9}}", { X: 3 }), "true false");
  assert.equal(
    render(
      '{{eq "a" "a"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}',
    ),
    "true true true true true false",
  );
  assert.equal(
    render("{{eq .M.none 1}} {{eq nil nil}}", { M: new Map() }),
    "false true",
  );
  assert.match(
    execError('{{eq 1 "a"}}'),
    /at <eq 1 "a">: error calling eq: incompatible types for comparison/,
  );
  assert.match(
    execError("{{lt true false}}"),
    /error calling lt: invalid type for comparison/,
  );
  assert.match(execError("{{eq . .}}", [1]), /non-comparable type/);
  assert.match(
    execError("{{ne 1}}"),
    /wrong number of args for ne: want 2 got 1/,
  );
});

Deno.test("len, index and slice", () => {
  const data = {
    L: [1, 2, 3],
    S: "héllo",
    M: new Map([["k", "v"]]),
    O: { a: 1 },
  };
  assert.equal(
    render("{{len .L}} {{len .S}} {{len .M}} {{len .O}}", data),
    "3 6 1 1",
  );
  assert.equal(
    render(
      '{{index .L 1}} {{index .M "k"}} {{index .M "x"}} {{index .O "a"}} {{index .S 0}}',
      data,
    ),
    "2 v <no value> 1 104",
  );
  assert.equal(render("{{index . 1 0}}", [[1], [2, 3]]), "2");
  assert.equal(
    render('{{slice .L 1}} {{slice .L 0 2}} {{slice "abcd" 1 3}}', data),
    "[2 3] [1 2] bc",
  );
  assert.match(
    execError("{{index .L 5}}", data),
    /error calling index: index out of range: 5/,
  );
  assert.match(execError("{{len 3}}"), /error calling len: len of type int/);
  assert.match(
    execError("{{slice .L 2 1}}", data),
    /invalid slice index: 2 > 1/,
  );
  assert.match(
    execError("{{index}}"),
    /wrong number of args for index: want at least 1 got 0/,
  );
});

Deno.test("print, println, html, js, urlquery and call", () => {
  assert.equal(render('{{print 1 2 "a" "b" 3}}'), "1 2ab3");
  assert.equal(render('{{println 1 "a"}}'), "1 a\n");
  assert.equal(
    render(`{{html "<a href='x'>&\\"" }}`),
    "&lt;a href=&#39;x&#39;&gt;&amp;&#34;",
  );
  assert.equal(render(`{{js "it's <b>" }}`), "it\\'s \\u003Cb\\u003E");
  assert.equal(render('{{urlquery "a b&c=d/é"}}'), "a+b%26c%3Dd%2F%C3%A9");
  assert.equal(
    render("{{call .F 2 3}}", {
      F: (a: unknown, b: unknown) => Number(a) * Number(b),
    }),
    "6",
  );
  assert.match(
    execError("{{call .F}}", { F: 1 }),
    /error calling call: non-function of type int/,
  );
});

Deno.test("caller functions receive nil for missing values and report their errors", () => {
  const funcs = {
    kind: (v: unknown) => (v === null ? "nil" : typeof v),
    boom: () => {
      throw new Error("it broke");
    },
  };
  const opts = { name: "format", funcs };
  assert.equal(
    renderGoTemplate("{{kind .M.x}} {{kind 1}}", { M: new Map() }, opts),
    "nil number",
  );
  assert.throws(() => renderGoTemplate("{{boom 1}}", {}, opts), {
    message:
      'template: format:1:2: executing "format" at <boom 1>: error calling boom: it broke',
  });
  // A caller function shadows the built-in of the same name.
  assert.equal(
    renderGoTemplate("{{len 5}}", {}, { funcs: { len: () => "custom" } }),
    "custom",
  );
});

Deno.test("composite values print like Go's %v", () => {
  const data = {
    L: ["a", 1, true, null],
    M: new Map<string, unknown>([["b", 2], ["a", [1]]]),
    S: { location: "https://x", arch: "x86_64", digest: null },
  };
  assert.equal(render("{{.L}}", data), "[a 1 true <nil>]");
  assert.equal(render("{{.M}}", data), "map[a:[1] b:2]");
  assert.equal(render("{{.S}}", data), "{https://x x86_64 <nil>}");
  assert.equal(
    render('{{printf "%+v" .S}}', data),
    "{location:https://x arch:x86_64 digest:<nil>}",
  );
});

Deno.test("execution error context is shortened to 20 characters", () => {
  assert.match(
    execError('{{printf "%s" .VeryLongFieldNameHere.X}}', {}),
    /at <\.VeryLongFieldNameHe\.\.\.>: can't evaluate field VeryLongFieldNameHere/,
  );
});
