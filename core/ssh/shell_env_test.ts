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

Deno.test("patterns with other characters are rejected", () => {
  assert.throws(
    () => names({ LIMA_SHELLENV_BLOCK: "FOO-BAR" }),
    (err) => err instanceof LimaError && /FOO-BAR/.test(err.message),
  );
  assert.throws(() => names({ LIMA_SHELLENV_ALLOW: "A.B" }), LimaError);
});
