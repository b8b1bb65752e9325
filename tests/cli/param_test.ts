/** `--param` on `create` and `edit`: the cases of Lima's `param.bats`. */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { assertFatal, limactlExpect, tempLimaHome } from "./helpers.ts";

const TEMPLATE = `images:
- location: /etc/profile
plain: true
param:
  release: ""
provision:
- mode: system
  script: |
    echo "$PARAM_release"
`;

async function paramOf(file: string): Promise<unknown> {
  return (parse(await Deno.readTextFile(file)) as {
    param: { release: unknown };
  }).param.release;
}

Deno.test("limactl --param (Lima's param.bats)", async (t) => {
  const limaHome = await tempLimaHome();
  const expect = (code: number, args: string[], stdin?: string) =>
    limactlExpect(code, args, { limaHome, stdin });
  try {
    await t.step("create accepts --param", async () => {
      await expect(0, [
        "create",
        "--name",
        "param-create",
        "--param=release=v1.35",
        "-",
      ], TEMPLATE);
      assert.equal(
        await paramOf(`${limaHome}/param-create/lima.yaml`),
        "v1.35",
      );
    });

    await t.step(
      "create rejects an undeclared --param and writes nothing",
      async () => {
        const r = await expect(1, [
          "create",
          "--name",
          "param-create-invalid",
          "--param",
          "missing=value",
          "-",
        ], TEMPLATE);
        assertFatal(
          r.stderr,
          "error while processing flag `param`: template does not define param `missing`",
        );
        await assert.rejects(
          Deno.lstat(`${limaHome}/param-create-invalid`),
          Deno.errors.NotFound,
        );
      },
    );

    await t.step(
      "edit accepts --param and keeps the rest of the file",
      async () => {
        await expect(0, ["create", "--name", "param-edit", "-"], TEMPLATE);
        await expect(0, ["edit", "--param", "release=v1.36", "param-edit"]);
        const text = await Deno.readTextFile(
          `${limaHome}/param-edit/lima.yaml`,
        );
        assert.equal(
          await paramOf(`${limaHome}/param-edit/lima.yaml`),
          "v1.36",
        );
        assert.match(text, /echo "\$PARAM_release"/);
      },
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});
