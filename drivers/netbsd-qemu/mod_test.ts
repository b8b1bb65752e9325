import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runConformance } from "../../plugins/testkit.ts";
import { freeLoopbackPort } from "../../tests/fixtures/free_port.ts";
import * as netbsd from "./mod.ts";

const fakeQemu = fileURLToPath(
  new URL(
    "../../tests/fixtures/fake-tools/qemu-system-x86_64",
    import.meta.url,
  ),
);

async function readRuns(log: string): Promise<string[][]> {
  const text = await Deno.readTextFile(log);
  return text.trim().split("\n").filter(Boolean).map((l) =>
    JSON.parse(l).args as string[]
  );
}

async function withLog(fn: (log: string) => Promise<void>): Promise<void> {
  const log = await Deno.makeTempFile();
  Deno.env.set("FAKE_TOOL_LOG", log);
  try {
    await fn(log);
  } finally {
    Deno.env.delete("FAKE_TOOL_LOG");
    Deno.env.delete("FAKE_QEMU_BROKEN_ACCELS");
    await Deno.remove(log);
  }
}

function instanceIn(dir: string, port: number) {
  return {
    name: "kit",
    dir,
    sshLocalPort: port,
    config: {
      vmType: "qemu",
      arch: "x86_64" as const,
      cpus: 2,
      memory: "512MiB",
      disk: "32MiB",
      firmware: { legacyBIOS: true },
    },
  };
}

Deno.test("netbsd-qemu driver passes the conformance suite against a fake NetBSD QEMU", async (t) => {
  await withLog(async (log) => {
    await runConformance(t, {
      driver: netbsd,
      options: { qemuSystem: fakeQemu, stopTimeout: 5000 },
      async instance(dir) {
        const out = await new Deno.Command("qemu-img", {
          args: ["create", "-f", "qcow2", join(dir, "image"), "16M"],
        }).output();
        assert.ok(out.success);
        return instanceIn(dir, freeLoopbackPort());
      },
    });
    const vm = (await readRuns(log)).find((a) => a.includes("-pidfile"))!;
    assert.deepEqual(
      vm.slice(vm.indexOf("-machine"), vm.indexOf("-machine") + 2),
      ["-machine", "q35,accel=nvmm"],
    );
    assert.deepEqual(vm.slice(vm.indexOf("-cpu"), vm.indexOf("-cpu") + 2), [
      "-cpu",
      "host",
    ]);
  });
});

Deno.test("netbsd-qemu falls back to TCG when the NVMM test boot fails", async () => {
  await withLog(async (log) => {
    Deno.env.set("FAKE_QEMU_BROKEN_ACCELS", "nvmm");
    const dir = await Deno.makeTempDir();
    try {
      // A path of its own, because accelerator decisions are remembered per binary.
      const qemuSystem = join(dir, "qemu-system-x86_64");
      await Deno.writeTextFile(
        qemuSystem,
        `#!/bin/sh\nexec '${fakeQemu}' "$@"\n`,
        { mode: 0o755 },
      );
      const driver = netbsd.default(instanceIn(dir, 0), { qemuSystem });
      const config = await driver.configure();
      assert.equal(config.vmOpts?.qemu?.cpuType?.x86_64, "max");
      const probe = (await readRuns(log)).find((a) => a.includes("-serial"))!;
      assert.ok(probe.includes("nvmm"), "the test boot used NVMM");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("netbsd-qemu offers only reverse-sshfs mounts", async () => {
  const driver = netbsd.default({
    name: "x",
    dir: "/nonexistent",
    config: { mountType: "9p", arch: "x86_64" },
  }, {
    accel: "nvmm",
  });
  await driver.configure();
  const errors = (await driver.validate()).filter((d) =>
    d.severity === "error"
  );
  assert.deepEqual(errors.map((d) => d.path), ["mountType"]);
  assert.match(errors[0].summary, /not supported by the qemu driver on netbsd/);
});
