import assert from "node:assert/strict";
import type { LimaYAML } from "../schema.ts";
import type { DriverRulesTable } from "./driver_rules.ts";
import { limaYAMLProblems } from "./mod.ts";

/** A test-only driver table: a third-party `hyperwin` declares every rule validation reads. */
const drivers: DriverRulesTable = {
  qemu: { guestOSes: ["Windows"] },
  hyperwin: {
    guestOSes: ["Windows"],
    requiresPasswordlessSudo: true,
    extraMountTypes: ["hyperfs"],
    networks: ["hyperNAT", "vzNAT"],
  },
};

function problems(y: Partial<LimaYAML>) {
  return limaYAMLProblems(
    {
      images: [{ location: "https://example.com/disk.img" }],
      cpus: 1,
      memory: "1GiB",
      disk: "10GiB",
      ...y,
    },
    { drivers, warn: () => {}, hostOS: "linux" },
  ).filter((p) => p.path !== "images[0].arch");
}

Deno.test("a third-party driver's declared rules are applied by validation", () => {
  assert.deepEqual(
    problems({
      os: "Windows",
      arch: "x86_64",
      vmType: "hyperwin",
      mountType: "hyperfs",
      networks: [{ vzNAT: true }],
    }),
    [],
  );
  assert.deepEqual(
    problems({
      vmType: "hyperwin",
      arch: "x86_64",
      user: { passwordlessSudo: false },
      plain: true,
    }),
    [{
      path: "user.passwordlessSudo",
      message:
        "`user.passwordlessSudo: false` is not supported on hyperwin guest",
    }],
  );
});

Deno.test("messages list every driver that declares the rule", () => {
  const found = problems({
    os: "Windows",
    arch: "x86_64",
    vmType: "qemu",
    networks: [{ vzNAT: true }],
  });
  assert.deepEqual(found, [{
    path: "networks[0].vzNAT",
    message:
      "field `networks[0].vzNAT` requires `vmType: hyperwin`, got `qemu`",
  }]);
  assert.match(
    problems({ os: "Windows", arch: "x86_64", vmType: "none" }).find((p) =>
      p.path === "vmType" && p.message.startsWith("currently")
    )?.message ?? "",
    /only supported on `qemu`, `hyperwin`; got `none`/,
  );
});
