import assert from "node:assert/strict";
import { goValue } from "./text_template_data.ts";

Deno.test("lima.yaml values get Go field names but serialise with their own", () => {
  const config = {
    vmType: "qemu",
    cpus: 2,
    ssh: { localPort: 0 },
    env: { A: "1" },
    mounts: [{ location: "~", "9p": { cache: "mmap" } }],
  };
  const view = goValue(config) as Record<string, unknown>;
  assert.equal(view.VMType, "qemu");
  assert.equal(view.CPUs, 2);
  assert.deepEqual(Object.keys(view.SSH as object), ["LocalPort"]);
  assert.ok(view.Env instanceof Map);
  assert.equal((view.Env as Map<string, string>).get("A"), "1");
  const mount = (view.Mounts as Record<string, unknown>[])[0];
  assert.deepEqual(Object.keys(mount), ["Location", "NineP"]);
  assert.equal(JSON.stringify(view), JSON.stringify(config));
});
