/**
 * `limactl disk` with qemu-img (Lima's `cmd/limactl/disk.go`): create, list, resize, import,
 * unlock, delete.
 */
import assert from "node:assert/strict";
import {
  assertFatal,
  assertInfo,
  assertWarning,
  createDummyInstance,
  limactlExpect,
  lines,
  tempLimaHome,
} from "./helpers.ts";

Deno.test("limactl disk", async (t) => {
  const limaHome = await tempLimaHome();
  const expect = (code: number, args: string[]) =>
    limactlExpect(code, args, { limaHome });
  const disks = async () =>
    Object.fromEntries(
      lines((await expect(0, ["disk", "ls", "--json"])).stdout).map((l) => {
        const d = JSON.parse(l);
        return [d.name, d];
      }),
    );
  try {
    await t.step("no disks: a warning and only the header", async () => {
      const r = await expect(0, ["disk", "list"]);
      assertWarning(
        r.stderr,
        "No disk found. Run `limactl disk create DISK --size SIZE` to create a disk.",
      );
      assert.match(r.stdout, /^NAME +SIZE +FORMAT +DIR +IN-USE-BY\n$/);
    });

    await t.step(
      "create makes a qcow2 (default) or raw image of the given size",
      async () => {
        assertInfo(
          (await expect(0, ["disk", "create", "data", "--size", "10M"])).stderr,
          "Creating qcow2 disk `data` with size 10MiB",
        );
        await expect(0, [
          "disk",
          "create",
          "plain",
          "--size",
          "1GiB",
          "--format",
          "raw",
        ]);
        const d = await disks();
        assert.deepEqual(d.data, {
          name: "data",
          size: 10 * 1024 ** 2,
          format: "qcow2",
          dir: `${limaHome}/_disks/data`,
          instance: "",
          instanceDir: "",
          mountPoint: "/mnt/lima-data",
        });
        assert.equal(d.plain.format, "raw");
        assert.equal(d.plain.size, 1024 ** 3);
        assert.equal(
          (await Deno.stat(`${limaHome}/_disks/data`)).mode! & 0o777,
          0o700,
        );
        const table = lines((await expect(0, ["disk", "ls"])).stdout);
        assert.match(table[1], /^data +10MiB +qcow2 +\S+\/_disks\/data +$/);
      },
    );

    await t.step(
      "bad requests are refused and leave nothing behind",
      async () => {
        assertFatal(
          (await expect(1, ["disk", "create", "data", "--size", "1G"])).stderr,
          "disk `data` already exists…",
        );
        assertFatal(
          (await expect(1, [
            "disk",
            "create",
            "other",
            "--size",
            "1G",
            "--format",
            "vmdk",
          ])).stderr,
          "disk format `vmdk` not supported, use `qcow2` or `raw` instead",
        );
        await expect(1, ["disk", "create", "bad/name", "--size", "1G"]);
        await expect(1, ["disk", "create", "nosize", "--size", "lots"]);
        assert.deepEqual(Object.keys(await disks()).sort(), ["data", "plain"]);
      },
    );

    await t.step("resize grows and refuses to shrink", async () => {
      assertInfo(
        (await expect(0, ["disk", "resize", "data", "--size", "20M"])).stderr,
        "Resized disk `data`…",
      );
      assert.equal((await disks()).data.size, 20 * 1024 ** 2);
      const r = await expect(1, ["disk", "resize", "data", "--size", "5M"]);
      assertFatal(
        r.stderr,
        "specified size `5MiB` is less than the current disk size `20MiB`. Disk shrinking is currently unavailable",
      );
    });

    await t.step(
      "a symlinked datadisk is followed for list and resize",
      async () => {
        const outside = await Deno.makeTempDir();
        try {
          const target = `${outside}/image.raw`;
          await Deno.writeFile(target, new Uint8Array(0));
          await Deno.truncate(target, 4 * 1024 ** 2);
          await Deno.mkdir(`${limaHome}/_disks/linked`);
          await Deno.symlink(target, `${limaHome}/_disks/linked/datadisk`);
          assert.equal((await disks()).linked.size, 4 * 1024 ** 2);
          await expect(0, ["disk", "resize", "linked", "--size", "8M"]);
          assert.equal((await Deno.stat(target)).size, 8 * 1024 ** 2);
          assert.ok(
            (await Deno.lstat(`${limaHome}/_disks/linked/datadisk`)).isSymlink,
          );
          await expect(0, ["disk", "delete", "linked"]);
          assert.equal((await Deno.stat(target)).size, 8 * 1024 ** 2);
        } finally {
          await Deno.remove(outside, { recursive: true });
        }
      },
    );

    await t.step("import copies a qcow2 image", async () => {
      const src = await Deno.makeTempFile({ suffix: ".qcow2" });
      try {
        const made = await new Deno.Command("qemu-img", {
          args: ["create", "-f", "qcow2", src, "3M"],
          stdout: "null",
        }).output();
        assert.ok(made.success);
        assertInfo(
          (await expect(0, ["disk", "import", "imported", src])).stderr,
          "Imported imported with size 3MiB",
        );
        assert.equal((await disks()).imported.format, "qcow2");
      } finally {
        await Deno.remove(src);
      }
    });

    await t.step(
      "a disk locked by an instance cannot be deleted until unlocked",
      async () => {
        await Deno.symlink(
          `${limaHome}/ghost`,
          `${limaHome}/_disks/data/in_use_by`,
        );
        assert.equal((await disks()).data.instance, "ghost");
        assertFatal(
          (await expect(1, ["disk", "delete", "data"])).stderr,
          "cannot delete disk `data` in use by instance `ghost`",
        );
        assertInfo(
          (await expect(0, ["disk", "unlock", "data"])).stderr,
          "Unlocked disk `data`…",
        );
        assert.equal((await disks()).data.instance, "");
        assertWarning(
          (await expect(0, ["disk", "unlock", "data"])).stderr,
          "Ignoring unlocked disk `data`",
        );
      },
    );

    await t.step(
      "resize refuses a disk whose VM still runs after its host agent died",
      async () => {
        await createDummyInstance("vmx", { limaHome });
        const vm = new Deno.Command("sleep", { args: ["60"] }).spawn();
        try {
          await Deno.writeTextFile(`${limaHome}/vmx/qemu.pid`, `${vm.pid}\n`);
          await Deno.symlink(
            `${limaHome}/vmx`,
            `${limaHome}/_disks/data/in_use_by`,
          );
          assertFatal(
            (await expect(1, ["disk", "resize", "data", "--size", "30M"]))
              .stderr,
            "cannot resize disk `data` used by running instance `vmx`. Please stop the VM instance",
          );
        } finally {
          vm.kill("SIGKILL");
          await vm.status;
        }
        await expect(0, ["disk", "resize", "data", "--size", "30M"]);
        assert.equal((await disks()).data.size, 30 * 1024 * 1024);
        await expect(0, ["disk", "unlock", "data"]);
      },
    );

    await t.step(
      "a disk referenced by an instance is kept unless forced",
      async () => {
        await createDummyInstance("user", {
          limaHome,
          yaml: "{images: [location: /etc/profile], additionalDisks: [data]}",
        });
        const r = await expect(0, ["disk", "delete", "data"]);
        assertWarning(
          r.stderr,
          "Skipping deleting disk `data`, disk is referenced by one or more non-running instances: [`user`]",
        );
        assert.ok("data" in await disks());
        assertInfo(
          (await expect(0, ["disk", "rm", "--force", "data"])).stderr,
          "Deleted `data`…",
        );
        assert.ok(!("data" in await disks()));
        assertWarning(
          (await expect(0, ["disk", "delete", "data"])).stderr,
          "Ignoring non-existent disk `data`",
        );
      },
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});
