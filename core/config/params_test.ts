import assert from "node:assert/strict";
import { paramProblems, unusedParamProblem } from "./params.ts";
import { parseLimaYAML } from "./parse.ts";

const yaml = (text: string) => parseLimaYAML(text, { file: "test.yaml" });

Deno.test("param names must start with a letter and use letters, digits and _", () => {
  assert.deepEqual(paramProblems({ ok_1: "x", Also: "y" }), []);
  for (const name of ["1abc", "_x", "has-dash", "dot.ted", ""]) {
    assert.match(
      paramProblems({ [name]: "v" }).join(),
      /name does not match regex/,
      name,
    );
  }
});

Deno.test("param values may hold spaces and tabs but no other control characters", () => {
  assert.deepEqual(
    paramProblems({ A: "two words\tand tab", B: "ünïcödé ✓" }),
    [],
  );
  assert.match(
    paramProblems({ A: "line\nbreak" }).join(),
    /param `A` value contains unprintable character "\\n"/,
  );
  assert.match(
    paramProblems({ A: "bell\u0007" }).join(),
    /unprintable character "\\u0007"/,
  );
});

Deno.test("every param must be referenced by a template action or PARAM_ variable", () => {
  const used = yaml(
    "param: {A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, internal_netplanOptional: 'true'}\n" +
      "provision:\n- script: 'echo {{ .Param.A }}'\n- {mode: data, path: /x, content: 'v=$PARAM_B'}\n" +
      "probes: [{script: 'test {{.Param.C | printf \"%s\"}}'}]\n" +
      "copyToHost: [{guest: '/{{.Param.D}}', host: /h}]\n" +
      "portForwards: [{guestSocket: /s, hostSocket: '{{.Param.E}}.sock'}]\n" +
      "mounts: [{location: /m, mountPoint: '/mnt/{{.Param.F}}'}]\n",
  );
  assert.equal(unusedParamProblem(used), undefined);
});

Deno.test("an unreferenced param is reported with Lima's message", () => {
  const y = yaml(
    "param: {Used: 1, Lonely: 2}\nprovision: [{script: 'echo $PARAM_Used {{.Lonely}} PARAM_Lonelyish'}]\n",
  );
  assert.equal(
    unusedParamProblem(y),
    "field `param` key `Lonely` is not used in any provision, probe, copyToHost, or portForward",
  );
  assert.match(
    unusedParamProblem(
      yaml("param: {A: 1}\nprovision: [{script: 'echo $PARAM_AB .Param.A'}]\n"),
    ) ?? "",
    /key `A` is not used/,
  );
});

Deno.test("ansible playbooks count as references", () => {
  const y = yaml(
    "param: {P: 1}\nprovision: [{mode: ansible, playbook: play.yaml}]\n",
  );
  assert.equal(
    unusedParamProblem(y, {
      readFile: () => "- hosts: all\n  vars: {x: '{{.Param.P}}'}\n",
    }),
    undefined,
  );
  assert.match(
    unusedParamProblem(y, { readFile: () => "- hosts: all\n" }) ?? "",
    /key `P` is not used/,
  );
});
