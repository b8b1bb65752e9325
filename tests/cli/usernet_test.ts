/** Starting an instance on a user-v2 network when that cannot work, and `limactl usernet`'s flags. */
import assert from "node:assert/strict";
import { exists } from "../../core/exists.ts";
import {
  assertFatal,
  createDummyInstance,
  limactlExpect,
  tempLimaHome,
} from "./helpers.ts";

const COLIMA_NETWORKS =
  "networks:\n  user-v2:\n    mode: user-v2\n    gateway: 192.168.104.1\n    netmask: 255.255.255.0\n";

Deno.test({
  name:
    "start on a user-v2 network without gvproxy fails before anything starts, and again the same way",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const limaHome = await tempLimaHome();
    try {
      await Deno.mkdir(`${limaHome}/_config`, { recursive: true });
      await Deno.writeTextFile(
        `${limaHome}/_config/networks.yaml`,
        COLIMA_NETWORKS,
      );
      await createDummyInstance("net", {
        limaHome,
        yaml: "{images: [location: /etc/profile], networks: [{lima: user-v2}]}",
      });
      for (let i = 0; i < 2; i++) {
        const r = await limactlExpect(1, ["start", "--tty=false", "net"], {
          limaHome,
          env: { PATH: "/nonexistent" },
        });
        assert.match(
          r.stderr,
          /network `user-v2` \(mode user-v2\) needs gvproxy, which was not found.*go install github\.com\/containers\/gvisor-tap-vsock\/cmd\/gvproxy@v0\.8\.9/,
        );
      }
      assert.equal(await exists(`${limaHome}/_networks`), false);
      assert.equal(await exists(`${limaHome}/net/ha.pid`), false);
      assert.equal(await exists(`${limaHome}/net/disk`), false);
    } finally {
      await Deno.remove(limaHome, { recursive: true });
    }
  },
});

Deno.test("limactl usernet names a missing flag", async () => {
  const limaHome = await tempLimaHome();
  try {
    const r = await limactlExpect(1, ["usernet", "-e", "/x_ep.sock"], {
      limaHome,
    });
    assertFatal(r.stderr, "flag --pidfile must be specified");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});
