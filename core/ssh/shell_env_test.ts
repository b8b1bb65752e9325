import assert from "node:assert/strict";
import { LimaError } from "../errors.ts";
import { preservedEnv } from "./shell_env.ts";

const defaultBlock = ["HOME", "PATH", "SSH_*", "_*"];
const host = {
  HOME: "/h",
  PATH: "/bin",
  SSH_AUTH_SOCK: "/s",
  _X: "1",
  FOO: "foo",
  BAR: "bar",
};
const names = (env: Record<string, string>) =>
  preservedEnv({ env, defaultBlock }).map(([k]) => k);

Deno.test("the default block list filters host variables", () => {
  assert.deepEqual(names(host), ["BAR", "FOO"]);
  assert.deepEqual(preservedEnv({ env: { B: "2", A: "1" }, defaultBlock }), [[
    "A",
    "1",
  ], ["B", "2"]]);
});

Deno.test("LIMA_SHELLENV_BLOCK replaces the list, or extends it with a leading +", () => {
  assert.deepEqual(
    names({ ...host, LIMA_SHELLENV_BLOCK: "FOO" }).filter((n) =>
      !n.startsWith("LIMA")
    ),
    [
      "BAR",
      "HOME",
      "PATH",
      "SSH_AUTH_SOCK",
      "_X",
    ],
  );
  assert.deepEqual(names({ ...host, LIMA_SHELLENV_BLOCK: "+ F*O , LIMA_*" }), [
    "BAR",
  ]);
});

Deno.test("LIMA_SHELLENV_ALLOW overrides blocks", () => {
  assert.deepEqual(
    names({
      ...host,
      LIMA_SHELLENV_ALLOW: "SSH_*,HOME",
      LIMA_SHELLENV_BLOCK: "+LIMA_*",
    }),
    [
      "BAR",
      "FOO",
      "HOME",
      "SSH_AUTH_SOCK",
    ],
  );
});

/** The message `limactl shell --preserve-env` dies with for ENV. */
function refusal(env: Record<string, string>): string {
  try {
    names(env);
  } catch (err) {
    assert.ok(err instanceof LimaError);
    return err.message;
  }
  assert.fail(`${JSON.stringify(env)} was accepted`);
}

Deno.test("a pattern with another character is refused with Lima's message", () => {
  assert.equal(
    refusal({ LIMA_SHELLENV_BLOCK: "FOO-BAR" }),
    "Invalid LIMA_SHELLENV_BLOCK pattern: pattern `FOO-BAR` contains invalid character `-` at position 3",
  );
  assert.equal(
    refusal({ LIMA_SHELLENV_ALLOW: "HOME, A.B" }),
    "Invalid LIMA_SHELLENV_ALLOW pattern: pattern `A.B` contains invalid character `.` at position 1",
  );
  assert.equal(
    refusal({ LIMA_SHELLENV_BLOCK: "A`B" }),
    'Invalid LIMA_SHELLENV_BLOCK pattern: pattern "A`B" contains invalid character "`" at position 1',
  );
});

Deno.test("only a + in first place extends the block list", () => {
  assert.equal(
    refusal({ LIMA_SHELLENV_BLOCK: " +FOO" }),
    "Invalid LIMA_SHELLENV_BLOCK pattern: pattern `+FOO` contains invalid character `+` at position 0",
  );
  assert.equal(
    refusal({ LIMA_SHELLENV_BLOCK: "+FOO,+BAR" }),
    "Invalid LIMA_SHELLENV_BLOCK pattern: pattern `+BAR` contains invalid character `+` at position 0",
  );
  // Blanks only are a list without patterns: nothing is blocked.
  assert.deepEqual(names({ ...host, LIMA_SHELLENV_BLOCK: " " }), [
    "BAR",
    "FOO",
    "HOME",
    "LIMA_SHELLENV_BLOCK",
    "PATH",
    "SSH_AUTH_SOCK",
    "_X",
  ]);
});
