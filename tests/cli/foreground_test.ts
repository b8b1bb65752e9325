/**
 * `start --foreground` runs the host agent attached to limactl, and Lima execs it there: the
 * host agent's exit status is limactl's (an autostart unit's `Restart=on-failure` relies on
 * it). The example driver's "VM" is `sleep`: without it on PATH the host agent fails at once.
 */
import { fileURLToPath } from "node:url";
import {
  assertInfo,
  createDummyInstance,
  limactlExpect,
  tempLimaHome,
} from "./helpers.ts";

const EXAMPLE_DRIVER = fileURLToPath(
  new URL("../fixtures/example-driver/mod.ts", import.meta.url),
);

Deno.test("start --foreground exits with the status of a failed host agent", async () => {
  const limaHome = await tempLimaHome();
  try {
    const opts = { limaHome };
    await limactlExpect(
      0,
      ["driver", "install", "--yes", EXAMPLE_DRIVER],
      opts,
    );
    await createDummyInstance("vm", {
      ...opts,
      yaml:
        "{images: [location: /etc/profile], vmType: example, containerd: {user: false}}",
    });
    const { stderr } = await limactlExpect(1, ["start", "vm", "--foreground"], {
      ...opts,
      env: { PATH: "/nonexistent" },
    });
    assertInfo(stderr, "The host agent has exited (exit status 1)");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});
