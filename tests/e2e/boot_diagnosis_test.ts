/**
 * A stuck boot is named early: instances of the test guest broken six ways (no kernel to boot,
 * `init=/bin/false`, a root device that does not exist, a user cloud-init cannot create, no
 * network service to get an address, a disk image with no free block) each fail `start`
 * within 90 s with the cause. The phases of normal starts are checked where guests boot anyway
 * (the log form in network_test.ts, the terminal form and a broken sshd in commands_test.ts).
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { testTemplate } from "../fixtures/test_template.ts";
import { startStuck } from "./boot_phases.ts";
import { guestImage, type Lima, skipVMTests, withLima } from "./harness.ts";
import type { GuestImage } from "../fixtures/guest_image.ts";

/** Runs CMD with ARGS, failing the test when it fails; returns its stdout. */
async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdin: "null" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.ok(
    out.success,
    `${cmd} ${args.join(" ")} failed:\n${text(out.stderr)}`,
  );
  return text(out.stdout);
}

/**
 * A copy of the test guest's disk (a whole-disk ext4) in DIR whose file system has no free
 * block left, as after a guest filled it: debugfs, not a loop mount, gives every free block to
 * one file (unwritten extents, so the copy stays small).
 */
async function fullDiskCopy(disk: string, dir: string): Promise<string> {
  const raw = `${dir}/full.raw`;
  const copy = `${dir}/full.qcow2`;
  await run("qemu-img", ["convert", "-O", "raw", disk, raw]);
  await run("debugfs", ["-w", "-R", "write /dev/null /lima-fill", raw]);
  const free = Number(
    /^Free blocks:\s+(\d+)/m.exec(await run("dumpe2fs", ["-h", raw]))?.[1],
  );
  assert.ok(free > 0, "the guest image has no free blocks to fill");
  // The extent tree takes blocks of its own; debugfs stops at the last free one.
  await run("debugfs", [
    "-w",
    "-R",
    `fallocate /lima-fill 0 ${free - 1}`,
    raw,
  ]);
  const left = Number(
    /^Free blocks:\s+(\d+)/m.exec(await run("dumpe2fs", ["-h", raw]))?.[1],
  );
  assert.equal(left, 0, "debugfs left free blocks in the copy");
  await run("qemu-img", ["convert", "-O", "qcow2", raw, copy]);
  await Deno.remove(raw);
  return copy;
}

/** Writes NAME.yaml: the test guest, changed by EDIT. */
async function brokenTemplate(
  lima: Lima,
  image: GuestImage,
  name: string,
  // deno-lint-ignore no-explicit-any
  edit: (template: any) => void,
): Promise<string> {
  const template = parse(testTemplate(image));
  edit(template);
  const file = `${lima.home}/${name}.yaml`;
  await Deno.writeTextFile(file, stringify(template));
  return file;
}

Deno.test({
  name: "start names the cause of a stuck boot within 90 s",
  ignore: skipVMTests,
}, async (t) => {
  const image = await guestImage();
  await withLima(async (lima) => {
    await t.step(
      "no kernel to boot: start names the silent console",
      async () => {
        // Without direct kernel boot SeaBIOS finds no boot loader on the whole-disk image.
        const file = await brokenTemplate(lima, image, "nokernel", (tpl) => {
          delete tpl.images[0].kernel;
          delete tpl.images[0].initrd;
        });
        const stderr = await startStuck(lima, "no kernel", [file]);
        assert.match(
          stderr,
          /The guest printed nothing on its console within 60s of the VM's start/,
        );
        assert.match(stderr, /serial\.log/);
      },
    );

    await t.step("init=/bin/false: start names the kernel panic", async () => {
      const file = await brokenTemplate(lima, image, "panic", (tpl) => {
        tpl.images[0].kernel.cmdline += " init=/bin/false";
      });
      const stderr = await startStuck(lima, "kernel panic", [file]);
      assert.match(
        stderr,
        /The guest kernel panicked: Attempted to kill init!/,
      );
      assert.match(stderr, /last lines of the guest's console/);
    });

    await t.step(
      "root=/dev/vdz: start names the missing root file system",
      async () => {
        // Debian's initramfs waits 30 s for the device (rootdelay= only lengthens that).
        const file = await brokenTemplate(lima, image, "noroot", (tpl) => {
          tpl.images[0].kernel.cmdline = "root=/dev/vdz ro console=ttyS0";
        });
        const stderr = await startStuck(lima, "root file system missing", [
          file,
        ]);
        assert.match(
          stderr,
          /The guest did not find its root file system \(root=\/dev\/vdz\)/,
        );
      },
    );

    await t.step(
      "user.uid of an existing account: start names cloud-init's error",
      async () => {
        // UID 1 is Debian's daemon: useradd refuses it, so the user and its keys never exist.
        const file = await brokenTemplate(lima, image, "nouser", (tpl) => {
          tpl.user = { uid: 1 };
        });
        const stderr = await startStuck(lima, "cloud-init errors", [file]);
        assert.match(
          stderr,
          /cloud-init reported errors the boot cannot get past: it could not create the user/,
        );
        assert.match(stderr, /check `user` in lima\.yaml/);
      },
    );

    await t.step(
      "no network service: start names the missing address",
      async () => {
        // Nothing asks for an address: cloud-init's network stage lists the NIC without one.
        const file = await brokenTemplate(lima, image, "noaddr", (tpl) => {
          tpl.images[0].kernel.cmdline +=
            " systemd.mask=systemd-networkd.service";
        });
        const stderr = await startStuck(lima, "no network address", [file]);
        assert.match(
          stderr,
          /The guest did not get a network address: \S+ \(52:55:55:[0-9a-f:]+\) has no IPv4 address/,
        );
      },
    );

    await t.step("a full disk: start names it", async () => {
      const disk = await fullDiskCopy(image.disk, lima.home);
      const file = await brokenTemplate(lima, image, "diskfull", (tpl) => {
        tpl.images[0].location = disk;
      });
      const stderr = await startStuck(lima, "disk full", [file]);
      assert.match(stderr, /The guest's disk is full/);
    });
  });
});
