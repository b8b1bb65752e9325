import assert from "node:assert/strict";
import { argumentsProblem } from "./arguments.ts";
import { TOOLS } from "./tools.ts";

const schema = (name: string) =>
  TOOLS.find((t) => t.name === name)!.inputSchema;

Deno.test("arguments that fit the schema have no problem", () => {
  assert.equal(
    argumentsProblem(
      { command: ["ls"], directory: "/", description: "list" },
      schema("run_shell_command"),
    ),
    undefined,
  );
  assert.equal(
    argumentsProblem({ pattern: "*", path: null }, schema("glob")),
    undefined,
  );
});

Deno.test("problems are worded as Lima's Go SDK words them", () => {
  const cases: [string, Record<string, unknown> | undefined, string][] = [
    [
      "read_file",
      undefined,
      'validating root: required: missing properties: ["path"]',
    ],
    [
      "write_file",
      {},
      'validating root: required: missing properties: ["path" "content"]',
    ],
    [
      "read_file",
      { path: 3 },
      'validating root: validating /properties/path: type: 3 has type "integer", want "string"',
    ],
    [
      "run_shell_command",
      { command: ["ls", 1.5], directory: "/" },
      'validating root: validating /properties/command: validating /properties/command/items: type: 1.5 has type "number", want "string"',
    ],
    [
      "run_shell_command",
      { command: "ls -l", directory: "/" },
      'validating root: validating /properties/command: type: ls -l has type "string", want one of "null, array"',
    ],
    [
      "read_file",
      { path: "/x", offset: 1, limit: 2 },
      'validating root: unexpected additional properties ["offset" "limit"]',
    ],
  ];
  for (const [tool, args, want] of cases) {
    assert.equal(
      argumentsProblem(args, schema(tool)),
      `validating "arguments": ${want}`,
    );
  }
});
