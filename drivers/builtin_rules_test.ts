import assert from "node:assert/strict";
import type { LimaYAML } from "../core/config/schema.ts";
import { limaYAMLProblems } from "../core/config/validate/mod.ts";
import { builtinDriverRules as drivers } from "./builtin_rules.ts";

function messages(y: Partial<LimaYAML>): string[] {
  return limaYAMLProblems(
    {
      images: [{ location: "https://example.com/disk.img" }],
      arch: "x86_64",
      cpus: 1,
      memory: "1GiB",
      disk: "10GiB",
      ...y,
    },
    { drivers, warn: () => {}, hostOS: "linux" },
  ).filter((p) => p.path !== "images[0].arch").map((p) =>
    `${p.path}: ${p.message}`
  );
}

Deno.test("the built-in rules give Lima's messages (pkg/limayaml/validate.go)", () => {
  assert.deepEqual(messages({ vmType: "vz", mountType: "default" }), [
    "mountType: field `mountType` must be `reverse-sshfs` or `9p` or `virtiofs` or `wsl2`, got `default`",
  ]);
  assert.deepEqual(messages({ vmType: "qemu", mountType: "default" }), []);
  assert.deepEqual(
    messages({
      vmType: "wsl2",
      user: { passwordlessSudo: false },
      plain: true,
    }),
    [
      "user.passwordlessSudo: `user.passwordlessSudo: false` is not supported on WSL2 guest",
    ],
  );
  assert.deepEqual(messages({ os: "Windows", vmType: "netbsd-qemu" }), [
    "vmType: currently Windows guest is only supported on `qemu`; got `netbsd-qemu`",
  ]);
  assert.deepEqual(
    messages({ vmType: "qemu", networks: [{ vzNAT: true }] }),
    [
      "networks[0].vzNAT: field `networks[0].vzNAT` requires `vmType: vz`, got `qemu`",
    ],
  );
  assert.deepEqual(messages({ vmType: "krunkit" }), [
    'vmType: vmType "krunkit" is not a registered driver (known: qemu, vz, wsl2, netbsd-qemu)',
  ]);
});
