import { join } from "node:path";
import { runConformance } from "../../plugins/testkit.ts";
import * as qemu from "./mod.ts";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

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
        sshLocalPort: freePort(),
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
