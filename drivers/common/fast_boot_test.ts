import assert from "node:assert/strict";
import { isFastBoot } from "./fast_boot.ts";

Deno.test("isFastBoot reads cloud-init=disabled as a whole word of the command line", () => {
  assert.equal(isFastBoot("root=/dev/vda ro cloud-init=disabled"), true);
  assert.equal(isFastBoot("cloud-init=disabled console=ttyS0"), true);
  assert.equal(isFastBoot("root=/dev/vda ro console=ttyS0"), false);
  assert.equal(isFastBoot("xcloud-init=disabled"), false);
  assert.equal(isFastBoot("cloud-init=disabled2"), false);
  assert.equal(isFastBoot(undefined), false);
});
