import assert from "node:assert/strict";
import { unsupportedMountType } from "./mount_type.ts";

Deno.test("unsupportedMountType accepts unset, default and supported types", () => {
  for (const t of [undefined, null, "", "default", "9p"]) {
    assert.equal(unsupportedMountType(t, ["9p"], "the qemu driver"), undefined);
  }
});

Deno.test("unsupportedMountType names the type, the driver and the choices", () => {
  assert.deepEqual(
    unsupportedMountType("9p", ["virtiofs", "reverse-sshfs"], "the vz driver"),
    {
      severity: "error",
      summary: 'mount type "9p" is not supported by the vz driver',
      path: "mountType",
      hint: "use one of virtiofs, reverse-sshfs",
    },
  );
  assert.equal(
    unsupportedMountType("9p", ["wsl2"], "the wsl2 driver", "use wsl2")?.hint,
    "use wsl2",
  );
});
