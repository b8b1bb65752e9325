import { join } from "node:path";
import { runConformance } from "../../plugins/testkit.ts";
import { freeLoopbackPort } from "../../tests/fixtures/free_port.ts";
import * as qemu from "./mod.ts";

Deno.test("qemu driver passes the conformance suite with the real QEMU", async (t) => {
  await runConformance(t, {
    driver: qemu,
    options: { stopTimeout: 2000, probeTimeout: 5000 },
    async instance(dir) {
      const out = await new Deno.Command("qemu-img", {
        args: ["create", "-f", "qcow2", join(dir, "image"), "16M"],
      })
        .output();
      if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
      return {
        name: "kit",
        dir,
        sshLocalPort: freeLoopbackPort(),
        config: {
          vmType: "qemu",
          arch: Deno.build.arch,
          cpus: 1,
          memory: "128MiB",
          disk: "32MiB",
          firmware: { legacyBIOS: true },
          mounts: [],
        },
      };
    },
  });
});
