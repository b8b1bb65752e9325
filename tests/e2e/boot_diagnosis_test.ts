/**
 * A stuck boot is named early: instances of the test guest broken three ways (no kernel to
 * boot, `init=/bin/false`, a root device that does not exist) each fail `start` within 90 s
 * with the cause. The phases of normal starts are checked where guests boot anyway (the log form
 * in network_test.ts, the terminal form and a broken sshd in commands_test.ts).
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { testTemplate } from "../fixtures/test_template.ts";
import { startStuck } from "./boot_phases.ts";
import { guestImage, type Lima, skipVMTests, withLima } from "./harness.ts";
import type { GuestImage } from "../fixtures/guest_image.ts";

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
  });
});
