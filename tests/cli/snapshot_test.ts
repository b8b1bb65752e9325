/**
 * `limactl snapshot create|apply|delete|list` (Lima's `cmd/limactl/snapshot.go`) on a stopped
 * instance, whose qcow2 disk `qemu-img snapshot` changes: no VM is started.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  assertFatal,
  assertWarning,
  createDummyInstance,
  limactlExpect,
  lines,
  tempLimaHome,
} from "./helpers.ts";

async function run(command: string, args: string[]): Promise<boolean> {
  const out = await new Deno.Command(command, {
    args,
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}

/** Writes BYTE over the first 64 KiB of the qcow2 image FILE. */
async function writePattern(file: string, byte: number): Promise<void> {
  assert.ok(
    await run("qemu-io", ["-f", "qcow2", "-c", `write -P ${byte} 0 64k`, file]),
  );
}

/** Whether the first 64 KiB of FILE are all BYTE. */
const hasPattern = (file: string, byte: number) =>
  run("qemu-io", ["-f", "qcow2", "-c", `read -P ${byte} 0 64k`, file]);

const EXPERIMENTAL = "`limactl snapshot` is experimental";

Deno.test("limactl snapshot on a stopped instance", async (t) => {
  const limaHome = await tempLimaHome();
  const expect = (code: number, args: string[]) =>
    limactlExpect(code, args, { limaHome });
  const disk = `${limaHome}/vm1/disk`;
  try {
    await createDummyInstance("vm1", { limaHome });

    await t.step(
      "an instance never started has no disk to snapshot",
      async () => {
        const r = await expect(1, ["snapshot", "list", "vm1"]);
        assertWarning(r.stderr, EXPERIMENTAL);
        assertFatal(r.stderr, "the instance has no disk yet…");
      },
    );

    // What the first start would leave: a qcow2 disk (its content is ours to choose).
    assert.ok(await run("qemu-img", ["create", "-f", "qcow2", disk, "16M"]));
    await writePattern(disk, 0xaa);

    await t.step("no snapshots: nothing is listed", async () => {
      assert.equal((await expect(0, ["snapshot", "list", "vm1"])).stdout, "");
      assert.equal(
        (await expect(0, ["snapshot", "ls", "-q", "vm1"])).stdout,
        "",
      );
    });

    await t.step(
      "create (and its alias save) adds snapshots the list shows",
      async () => {
        const r = await expect(0, [
          "snapshot",
          "create",
          "vm1",
          "--tag",
          "snap1",
        ]);
        assertWarning(r.stderr, EXPERIMENTAL);
        assert.equal(r.stdout, "");
        await expect(0, ["snapshot", "save", "--tag=snap2", "vm1"]);
        const table = lines(
          (await expect(0, ["snapshot", "list", "vm1"])).stdout,
        );
        assert.equal(table.length, 3);
        assert.match(table[0], /^ID +TAG +VM SIZE +DATE +VM CLOCK +ICOUNT$/);
        assert.match(
          table[1],
          /^1 +snap1 +0 B \d{4}-\d\d-\d\d \d\d:\d\d:\d\d /,
        );
        assert.match(table[2], /^2 +snap2 +/);
        assert.equal(
          (await expect(0, ["snapshot", "list", "--quiet", "vm1"])).stdout,
          "snap1\nsnap2\n",
        );
      },
    );

    await t.step("apply (and its alias load) restores the disk", async () => {
      await writePattern(disk, 0x55);
      await expect(0, ["snapshot", "apply", "vm1", "--tag", "snap1"]);
      assert.ok(await hasPattern(disk, 0xaa), "the disk is back at snap1");
      await writePattern(disk, 0x55);
      await expect(0, ["snapshot", "load", "vm1", "--tag", "snap2"]);
      assert.ok(await hasPattern(disk, 0xaa), "the disk is back at snap2");
    });

    await t.step("delete (and its alias del) removes snapshots", async () => {
      await expect(0, ["snapshot", "delete", "vm1", "--tag", "snap1"]);
      assert.equal(
        (await expect(0, ["snapshot", "ls", "-q", "vm1"])).stdout,
        "snap2\n",
      );
      await expect(0, ["snapshot", "del", "vm1", "--tag", "snap2"]);
      assert.equal((await expect(0, ["snapshot", "ls", "vm1"])).stdout, "");
    });

    await t.step(
      "a tag that does not exist fails with qemu-img's reason",
      async () => {
        assertFatal(
          (await expect(1, ["snapshot", "apply", "vm1", "--tag", "nope"]))
            .stderr,
          "failed to apply snapshot `nope`: qemu-img snapshot -a nope …",
        );
        const r = await expect(1, [
          "snapshot",
          "delete",
          "vm1",
          "--tag",
          "nope",
        ]);
        assert.match(r.stderr, /Could not delete snapshot 'nope'/);
      },
    );

    await t.step("create, apply and delete need --tag", async () => {
      for (const command of ["create", "apply", "delete"]) {
        for (const tag of [[], ["--tag", ""]]) {
          const r = await expect(1, ["snapshot", command, "vm1", ...tag]);
          assertFatal(
            r.stderr,
            "expected tag (hint: name the snapshot with `--tag TAG`)",
          );
        }
      }
      assertFatal(
        (await expect(1, ["snapshot", "create", "vm1", "--tag"])).stderr,
        "flag needs an argument: --tag",
      );
      assertFatal(
        (await expect(1, ["snapshot", "list", "vm1", "--tag", "x"])).stderr,
        "unknown flag: --tag",
      );
      assert.equal(
        (await expect(0, ["snapshot", "ls", "-q", "vm1"])).stdout,
        "",
      );
    });

    await t.step("every sub-command needs an existing INSTANCE", async () => {
      for (const command of ["create", "apply", "delete", "list"]) {
        const tag = command === "list" ? [] : ["--tag", "x"];
        assertFatal(
          (await expect(1, ["snapshot", command, ...tag])).stderr,
          "requires at least 1 arg(s), only received 0",
        );
        // As in Lima, the instance is looked for before the tag is checked.
        assertFatal(
          (await expect(1, ["snapshot", command, "nosuch"])).stderr,
          `open ${limaHome}/nosuch/lima.yaml: no such file or directory`,
        );
      }
      assertFatal(
        (await expect(1, ["snapshot", "list", "bad/name"])).stderr,
        "instance name `bad/name` is not a valid identifier…",
      );
    });

    await t.step("help shows Lima's usage, aliases and flags", async () => {
      const { stdout } = await expect(0, ["snapshot", "create", "--help"]);
      assert.match(
        stdout,
        /^Create \(save\) a snapshot\n\nUsage:\n {2}limactl snapshot create INSTANCE \[flags\]\n\nAliases:\n {2}create, save\n/,
      );
      assert.match(stdout, /\n {6}--tag string {3}Name of the snapshot\n/);
      const list = (await expect(0, ["snapshot", "list", "--help"])).stdout;
      assert.match(list, /\n {2}-q, --quiet {3}Only show tags\n/);
      const root = (await expect(0, ["--help"])).stdout;
      assert.match(root, /\n {2}snapshot +Manage instance snapshots\n/);
    });
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("limactl snapshot refuses an instance whose driver has no snapshots", async () => {
  const limaHome = await tempLimaHome();
  const driver = fileURLToPath(
    new URL("../fixtures/example-driver/mod.ts", import.meta.url),
  );
  try {
    await limactlExpect(0, ["driver", "install", "--yes", driver], {
      limaHome,
    });
    await createDummyInstance("other", {
      limaHome,
      yaml: "{images: [location: /etc/profile], vmType: example}",
    });
    for (
      const args of [["list", "other"], ["create", "other", "--tag", "x"]]
    ) {
      const r = await limactlExpect(1, ["snapshot", ...args], { limaHome });
      assertFatal(
        r.stderr,
        "driver `example` does not support snapshots: unimplemented",
      );
    }
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});
