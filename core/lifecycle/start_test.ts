import assert from "node:assert/strict";
import { join } from "node:path";
import "../../tests/use_builtin_drivers.ts";
import { createDummyInstance, tempLimaHome } from "../../tests/cli/helpers.ts";
import { driverRegistry } from "../../drivers/builtin.ts";
import { ExitCodeError } from "../errors.ts";
import { parseDuration, shellCommandFor, startInstance } from "./start.ts";
import { candidateImages } from "./prepare.ts";

Deno.test("--timeout takes Go durations", () => {
  assert.equal(parseDuration("10m0s"), 600_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("0"), 0);
  assert.throws(() => parseDuration("10"), /invalid duration "10"/);
  assert.throws(() => parseDuration("5 minutes"), /invalid duration/);
});

Deno.test("the shell hint is `lima` for the default instance", () => {
  assert.equal(shellCommandFor("default"), "lima");
  assert.equal(shellCommandFor("vm"), "limactl shell vm");
});

Deno.test("images of the instance arch with the first entry's variant are tried in order", () => {
  const images = [
    { location: "arm", arch: "aarch64" },
    { location: "a", arch: "x86_64", variant: "v1" },
    { location: "b", arch: "x86_64", variant: "v2" },
    { location: "c", arch: "x86_64", variant: "v1" },
  ];
  assert.deepEqual(
    candidateImages(images, "x86_64").map((i) => i.location),
    ["a", "c"],
  );
  assert.deepEqual(candidateImages(images, "riscv64"), []);
});

Deno.test("start --foreground exits with the host agent's exit status", async () => {
  const limaHome = await tempLimaHome();
  const saved = Deno.env.get("LIMA_HOME");
  try {
    await createDummyInstance("vm", {
      limaHome,
      yaml:
        "{images: [location: /etc/profile], containerd: {system: false, user: false}}",
    });
    // With its disk there, nothing is fetched before the host agent runs.
    await Deno.writeTextFile(join(limaHome, "vm", "disk"), "");
    Deno.env.set("LIMA_HOME", limaHome);
    // A host agent that fails at once.
    const self = ["/bin/sh", "-c", "exit 3", "sh"];
    await assert.rejects(
      startInstance("vm", {
        drivers: driverRegistry(),
        foreground: true,
        self,
      }),
      (err) => err instanceof ExitCodeError && err.code === 3,
    );
  } finally {
    if (saved === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", saved);
    await Deno.remove(limaHome, { recursive: true });
  }
});
