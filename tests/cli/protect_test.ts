/** `limactl protect` / `unprotect` against a dummy instance: the cases of Lima's `protect.bats`. */
import assert from "node:assert/strict";
import {
  assertFatal,
  assertInfo,
  assertWarning,
  createDummyInstance,
  limactlExpect,
  tempLimaHome,
} from "./helpers.ts";
import { exists } from "../../core/exists.ts";

Deno.test("limactl protect (Lima's protect.bats)", async (t) => {
  const limaHome = await tempLimaHome();
  const expect = (code: number, args: string[]) =>
    limactlExpect(code, args, { limaHome });
  const instance = "bats-dummy";
  const protectedFile = `${limaHome}/${instance}/protected`;
  try {
    await createDummyInstance(instance, {
      limaHome,
      yaml: '{images: [location: /etc/profile], disk: "1M"}',
    });

    await t.step("protecting a missing instance fails", async () => {
      assertFatal(
        (await expect(1, ["protect", "notexist"])).stderr,
        "failed to inspect instance `notexist`…",
      );
    });

    await t.step(
      "protecting the instance creates the marker file",
      async () => {
        assertInfo(
          (await expect(0, ["protect", instance])).stderr,
          `Protected \`${instance}\``,
        );
        assert.ok(await exists(protectedFile));
        assert.equal((await Deno.stat(protectedFile)).mode! & 0o777, 0o400);
      },
    );

    await t.step("protecting it again warns but succeeds", async () => {
      const r = await expect(0, ["protect", instance]);
      assertWarning(
        r.stderr,
        `Instance \`${instance}\` is already protected. Skipping.`,
      );
      assert.ok(await exists(protectedFile));
    });

    await t.step(
      "a clone of a protected instance is not protected",
      async () => {
        const r = await expect(0, ["clone", "--yes", instance, "clone"]);
        assert.equal(r.stdout, "");
        assert.ok(await exists(`${limaHome}/clone/lima.yaml`));
        assert.ok(!(await exists(`${limaHome}/clone/protected`)));
      },
    );

    await t.step("deleting the unprotected clone succeeds", async () => {
      assertInfo(
        (await expect(0, ["delete", "--force", "clone"])).stderr,
        "Deleted `clone`…",
      );
      assert.ok(!(await exists(`${limaHome}/clone`)));
    });

    await t.step(
      "deleting the protected instance fails and keeps it",
      async () => {
        const r = await expect(1, ["delete", "--force", instance]);
        assertFatal(
          r.stderr,
          `failed to delete instance \`${instance}\`: instance is protected…`,
        );
        assert.ok(await exists(protectedFile));
      },
    );

    await t.step(
      "renaming the protected instance fails and keeps it",
      async () => {
        await expect(1, ["rename", instance, "renamed"]);
        assert.ok(await exists(protectedFile));
        assert.ok(!(await exists(`${limaHome}/renamed`)));
      },
    );

    await t.step("unprotecting removes the marker file", async () => {
      assertInfo(
        (await expect(0, ["unprotect", instance])).stderr,
        `Unprotected \`${instance}\``,
      );
      assert.ok(!(await exists(protectedFile)));
    });

    await t.step("unprotecting it again warns but succeeds", async () => {
      const r = await expect(0, ["unprotect", instance]);
      assertWarning(
        r.stderr,
        `Instance \`${instance}\` isn't protected. Skipping.`,
      );
    });

    await t.step("deleting the unprotected instance succeeds", async () => {
      assertInfo(
        (await expect(0, ["delete", "--force", instance])).stderr,
        `Deleted \`${instance}\`…`,
      );
      assert.ok(!(await exists(`${limaHome}/${instance}`)));
    });
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});
