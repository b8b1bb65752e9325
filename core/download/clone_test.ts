import assert from "node:assert/strict";
import { clonesFiles, mountFsType } from "./clone.ts";

const MOUNTINFO = [
  "22 27 0:21 / /proc rw,relatime - proc proc rw",
  "27 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
  "31 27 259:3 / /home rw,relatime shared:5 master:2 - btrfs /dev/nvme0n1p3 rw,subvol=/home",
  "40 27 0:300 / /mnt/my\\040disk rw - xfs /dev/mapper/data rw",
  "",
].join("\n");

Deno.test("mountFsType finds the file system of a device number in mountinfo", () => {
  assert.equal(mountFsType(MOUNTINFO, (8 << 8) | 1), "ext4");
  // Optional fields (shared:, master:) come before the separator.
  assert.equal(mountFsType(MOUNTINFO, (259 << 8) | 3), "btrfs");
  // Minor numbers above 255 keep their high bits above the major number in a dev_t.
  assert.equal(
    mountFsType(MOUNTINFO, (300 & 0xff) | ((300 & ~0xff) << 12)),
    "xfs",
  );
  assert.equal(mountFsType(MOUNTINFO, (8 << 8) | 2), undefined);
});

Deno.test({
  name: "clonesFiles agrees with the file system type stat reports",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "clone_test_" });
    try {
      const out = await new Deno.Command("stat", {
        args: ["-f", "-c", "%T", dir],
        stdout: "piped",
      }).output();
      const type = new TextDecoder().decode(out.stdout).trim();
      assert.equal(
        await clonesFiles(dir, dir),
        ["btrfs", "xfs", "bcachefs"].includes(type),
        type,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** A directory on another file system than the temporary directory, where there is one. */
function otherFileSystem(): string | undefined {
  const probe = Deno.makeTempDirSync({ prefix: "clone_test_" });
  const dev = Deno.statSync(probe).dev;
  Deno.removeSync(probe);
  return ["/dev/shm", "/proc", "/dev"].find((d) => {
    try {
      return Deno.statSync(d).dev !== dev;
    } catch {
      return false;
    }
  });
}
const other = otherFileSystem();

Deno.test({
  name: "clonesFiles is false across file systems",
  ignore: other === undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "clone_test_" });
    try {
      assert.equal(await clonesFiles(dir, other!), false);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
