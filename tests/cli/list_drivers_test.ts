/** `create --list-drivers` and `start --list-drivers` (Lima 2.x): the drivers this host can run. */
import assert from "node:assert/strict";
import { limactlExpect, lines, tempLimaHome } from "./helpers.ts";

/** The built-in drivers whose hosts include this one. */
const FOR_HOST: Record<string, string[]> = {
  linux: ["qemu"],
  darwin: ["qemu", "vz"],
  windows: ["qemu", "wsl2"],
};

for (const command of ["create", "start"]) {
  Deno.test(`${command} --list-drivers lists the drivers of this host and creates nothing`, async () => {
    const limaHome = await tempLimaHome();
    try {
      const r = await limactlExpect(0, [command, "--list-drivers"], {
        limaHome,
      });
      assert.deepEqual(lines(r.stdout), FOR_HOST[Deno.build.os]);
      assert.equal(r.stderr, "");
      assert.deepEqual(
        (await Array.fromAsync(Deno.readDir(limaHome))).filter((e) =>
          !e.name.startsWith("_")
        ),
        [],
      );
    } finally {
      await Deno.remove(limaHome, { recursive: true });
    }
  });
}
