import assert from "node:assert/strict";
import { detectAccelerator, hasHardwareVirtualization } from "./accel.ts";

const cpuinfo = (flags: string) =>
  `processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu vme ${flags} sse2\n\n`;

Deno.test("hardware virtualisation is the vmx or svm CPU flag", () => {
  assert.equal(hasHardwareVirtualization(cpuinfo("vmx ept")), true);
  assert.equal(hasHardwareVirtualization(cpuinfo("svm npt")), true);
  assert.equal(hasHardwareVirtualization(cpuinfo("hypervisor")), false);
  assert.equal(hasHardwareVirtualization(cpuinfo("vmxfoo svmbar")), false);
  assert.equal(hasHardwareVirtualization("model name\t: vmx\n"), false);
});

const qemu = "qemu-system-x86_64";
const haveQemu = await new Deno.Command(qemu, { args: ["--version"] })
  .output().then((o) => o.success, () => false);

Deno.test({
  name: "a software KVM (no vmx or svm) gets TCG without a test boot",
  ignore: Deno.build.os !== "linux" || !haveQemu,
  fn: async () => {
    let readFlags = false;
    const accel = await detectAccelerator({
      binary: { path: qemu, extraArgs: [] },
      arch: "x86_64",
      hostOS: "linux",
      hostArch: "x86_64",
      cpuType: "host",
      timeoutMs: 5000,
      cpuinfo: () => {
        readFlags = true;
        return Promise.resolve(cpuinfo("hypervisor"));
      },
    });
    assert.equal(accel, "tcg");
    // On a host without /dev/kvm the answer is TCG before the CPU flags are read.
    const kvm = await Deno.open("/dev/kvm", { read: true, write: true }).then(
      (f) => (f.close(), true),
      () => false,
    );
    assert.equal(readFlags, kvm);
  },
});
