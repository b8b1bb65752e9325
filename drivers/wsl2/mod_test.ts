import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runConformance } from "../../plugins/testkit.ts";
import * as wsl2 from "./mod.ts";
import { decodeWslOutput, distroState } from "./mod.ts";

const wsl = fileURLToPath(
  new URL("../../tests/fixtures/fake-tools/wsl.exe", import.meta.url),
);

function utf16(text: string): Uint8Array {
  return new Uint8Array(Uint16Array.from(text, (c) => c.charCodeAt(0)).buffer);
}

Deno.test("wsl2 driver passes the conformance suite against a fake wsl.exe", async (t) => {
  const log = await Deno.makeTempFile();
  Deno.env.set("FAKE_TOOL_LOG", log);
  try {
    await runConformance(t, {
      driver: wsl2,
      options: { wsl },
      async instance(dir) {
        await Deno.writeTextFile(join(dir, "image"), "rootfs tarball");
        return {
          name: `kit-${dir.split("/").pop()}`,
          dir,
          config: {
            vmType: "wsl2",
            arch: Deno.build.arch,
            images: [{ location: "https://example.com/rootfs.tar.gz" }],
          },
        };
      },
    });
    const runs = (await Deno.readTextFile(log)).trim().split("\n").map((l) =>
      JSON.parse(l).args as string[]
    );
    const importRun = runs.find((a) => a[0] === "--import")!;
    assert.match(importRun[1], /^lima-kit-inst\d+$/);
    assert.equal(importRun[3], join(importRun[2], "basedisk"));
    assert.ok(
      runs.some((a) => a[0] === "--terminate"),
      "stop terminates the distro",
    );
    assert.ok(
      runs.some((a) => a[0] === "--unregister"),
      "delete unregisters the distro",
    );
  } finally {
    Deno.env.delete("FAKE_TOOL_LOG");
    await Deno.remove(log);
    await Deno.remove(`${log}.wsl.json`).catch(() => {});
  }
});

Deno.test("wsl.exe --list --verbose output is read from UTF-16LE", () => {
  const listing = decodeWslOutput(utf16(
    "  NAME            STATE           VERSION\r\n* Ubuntu          Running         2\r\n  lima-default    Stopped         2\r\n",
  ));
  assert.equal(distroState(listing, "lima-default"), "Stopped");
  assert.equal(distroState(listing, "Ubuntu"), "Running");
  assert.equal(distroState(listing, "lima-other"), undefined);
  assert.equal(
    decodeWslOutput(new TextEncoder().encode("172.24.160.2\n")),
    "172.24.160.2\n",
  );
});

Deno.test("wsl2 validation rejects disk images and TPM, on any host", async () => {
  const driver = wsl2.default({
    name: "x",
    dir: "/nonexistent",
    config: {
      images: [{ location: "https://example.com/disk.qcow2" }],
      tpm: true,
    },
  });
  await driver.configure();
  const found = await driver.validate();
  assert.deepEqual(found.map((d) => [d.path, d.severity]), [[
    "images[0].location",
    "error",
  ], ["tpm", "error"]]);
  assert.match(
    found[0].summary,
    /only supports importing tar archive root filesystems/,
  );
});
