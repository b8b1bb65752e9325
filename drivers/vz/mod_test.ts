import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runConformance } from "../../plugins/testkit.ts";
import * as vz from "./mod.ts";
import { vfkitArgs } from "./mod.ts";

const vfkit = fileURLToPath(
  new URL("../../tests/fixtures/fake-tools/vfkit", import.meta.url),
);

Deno.test("vz driver passes the conformance suite against a fake vfkit", async (t) => {
  const log = await Deno.makeTempFile();
  Deno.env.set("FAKE_TOOL_LOG", log);
  try {
    await runConformance(t, {
      driver: vz,
      options: { vfkit, stopTimeout: 5000 },
      async instance(dir) {
        await Deno.writeFile(join(dir, "image"), new Uint8Array(1024 * 1024));
        return {
          name: "kit",
          dir,
          config: {
            vmType: "vz",
            arch: Deno.build.arch,
            cpus: 2,
            memory: "1GiB",
            disk: "8GiB",
          },
        };
      },
    });
    const runs = (await Deno.readTextFile(log)).trim().split("\n").map((l) =>
      JSON.parse(l) as { args: string[] }
    );
    assert.ok(
      runs.some((r) => r.args.includes("--restful-uri")),
      "vfkit was started",
    );
  } finally {
    Deno.env.delete("FAKE_TOOL_LOG");
    await Deno.remove(log);
  }
});

Deno.test("vfkit command line: EFI boot, vsock guest agent, virtiofs mounts, rosetta", () => {
  const args = vfkitArgs({
    dir: "/L/vm",
    config: {
      cpus: 4,
      memory: "4GiB",
      mountType: "virtiofs",
      mounts: [{ location: "/Users/me", mountPoint: "/Users/me" }],
      ssh: { overVsock: true },
      vmOpts: { vz: { rosetta: { enabled: true, binfmt: true } } },
    },
    macAddress: "52:55:55:12:34:56",
    files: { iso: false, kernel: false, initrd: false, cidata: true },
    additionalDisks: ["/L/_disks/data/datadisk"],
    userNetwork: true,
  });
  assert.deepEqual(args, [
    "--cpus",
    "4",
    "--memory",
    "4096",
    "--bootloader",
    "efi,variable-store=/L/vm/vz-efi,create",
    "--device",
    "virtio-blk,path=/L/vm/disk",
    "--device",
    "virtio-blk,path=/L/_disks/data/datadisk",
    "--device",
    "virtio-blk,path=/L/vm/cidata.iso",
    "--device",
    "virtio-net,unixSocketPath=/L/vm/default_fd.sock,mac=52:55:55:12:34:56",
    "--device",
    "virtio-rng",
    "--device",
    "virtio-serial,logFilePath=/L/vm/serial.log",
    "--device",
    "virtio-vsock,port=2222,socketURL=/L/vm/ga.sock,connect",
    "--device",
    "virtio-vsock,port=22,socketURL=/L/vm/ssh-vsock.sock,connect",
    "--device",
    "virtio-fs,sharedDir=/Users/me,mountTag=lima-2ef1b209a83bda15",
    "--device",
    "rosetta,mountTag=vz-rosetta,install",
    "--restful-uri",
    "unix:///L/vm/vfkit.sock",
  ]);
});
