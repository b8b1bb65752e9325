import assert from "node:assert/strict";
import { fastBootCmdline, isFastBoot } from "./fast_boot.ts";

Deno.test("isFastBoot reads cloud-init=disabled as a whole word of the command line", () => {
  assert.equal(isFastBoot("root=/dev/vda ro cloud-init=disabled"), true);
  assert.equal(isFastBoot("cloud-init=disabled console=ttyS0"), true);
  assert.equal(isFastBoot("root=/dev/vda ro console=ttyS0"), false);
  assert.equal(isFastBoot("xcloud-init=disabled"), false);
  assert.equal(isFastBoot("cloud-init=disabled2"), false);
  assert.equal(isFastBoot(undefined), false);
});

Deno.test("fastBootCmdline masks units on the fast path only", () => {
  const fast = fastBootCmdline("root=/dev/vda cloud-init=disabled")!;
  assert.match(fast, /^root=\/dev\/vda cloud-init=disabled systemd\.mask=/);
  assert.match(fast, / systemd\.mask=sys-kernel-debug\.mount( |$)/);
  assert.equal(
    fastBootCmdline("root=/dev/vda console=ttyS0"),
    "root=/dev/vda console=ttyS0",
  );
  assert.equal(fastBootCmdline(undefined), undefined);
});
