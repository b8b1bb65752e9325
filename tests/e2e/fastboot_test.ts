/**
 * The fast boot path on the same test image: with `cloud-init=disabled` on the kernel command
 * line the image's bootstrap unit runs the seed's lima-init, and the instance becomes READY
 * with its user, keys, hostname, provisions and 9p mount, without cloud-init; after a kill -9
 * that left the host key files empty, it boots to READY again. The image's bzImage boots
 * through its PVH entry (drivers/qemu/pvh_kernel.ts), extracted again once it is out of date.
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { join } from "node:path";
import { TCG_FAST_BOOT_ARGS } from "../../drivers/qemu/cmdline.ts";
import { PVH_KERNEL } from "../../drivers/qemu/pvh_kernel.ts";
import { testTemplate } from "../fixtures/test_template.ts";
import {
  assertUserManager,
  guestImage,
  type Lima,
  skipVMTests,
  start,
  waitFor,
  withLima,
} from "./harness.ts";

Deno.test({
  name: "the fast path boots the image without cloud-init",
  ignore: skipVMTests,
}, async (t) => {
  const image = await guestImage();
  const shared = await Deno.makeTempDir({ prefix: "lc-fast" });
  // The guest user reads the share through 9p with the host's permissions.
  await Deno.chmod(shared, 0o755);
  try {
    await withLima(async (lima) => {
      // The bzImage an image ships: the driver boots its PVH form on the fast path.
      const template = parse(
        testTemplate(image, { fastBoot: true, compressedKernel: true }),
      );
      template.mountType = "9p";
      template.mounts = [{
        location: shared,
        mountPoint: "/mnt/shared",
        writable: true,
      }];
      // lima-init starts before the network is up; provisions must find it online all the same.
      const online =
        "systemctl is-active network-online.target > /var/tmp/online-at-";
      template.provision = [
        { mode: "boot", script: `#!/bin/sh\n${online}boot` },
        { mode: "system", script: `#!/bin/sh\n${online}system` },
      ];
      const file = `${lima.home}/vm.yaml`;
      await Deno.writeTextFile(file, stringify(template));
      const r = await start(lima, ["--tty=false", file]);
      assert.match(r.stderr, /READY/);

      await t.step("cloud-init did not run; lima-init did", async () => {
        assert.equal(
          await lima.sh("vm", "systemctl is-active cloud-init.service || true"),
          "inactive",
        );
        assert.match(
          await lima.sh("vm", "cat /var/log/cloud-init-output.log"),
          /lima-init: done/,
        );
      });

      await t.step("the kernel boots through its PVH entry", async () => {
        assert.deepEqual(
          await qemuKernel(lima),
          join(lima.home, "vm", PVH_KERNEL),
        );
        assert.equal(
          (await Deno.stat(join(lima.home, "vm", PVH_KERNEL))).size,
          (await Deno.stat(image.vmlinux)).size,
        );
      });

      await t.step(
        "under TCG, udev loads no kvm module, yet modprobe can",
        async () => {
          const args = await qemuArgs(lima);
          const tcg = args[args.indexOf("-accel") + 1]?.startsWith("tcg,") ??
            false;
          const cmdline = await lima.sh("vm", "cat /proc/cmdline");
          assert.equal(cmdline.endsWith(TCG_FAST_BOOT_ARGS), tcg);
          if (!tcg) return;
          const kvm = "lsmod | awk '$1 ~ /^kvm/ {print $1}' | sort";
          assert.equal(await lima.sh("vm", kvm), "");
          await lima.sh(
            "vm",
            "sudo modprobe kvm_amd 2>/dev/null || sudo modprobe kvm_intel",
          );
          assert.match(await lima.sh("vm", kvm), /^kvm\nkvm_(amd|intel)$/);
        },
      );

      await t.step("the user, hostname and shell work", async () => {
        assert.equal(await lima.sh("vm", "hostname"), "lima-vm");
        assert.equal(await lima.sh("vm", "sudo -n id -un"), "root");
        assert.match(await lima.sh("vm", "echo $HOME"), /^\/home\/.+\.guest$/);
      });

      await t.step(
        "the user's systemd manager lingers with a delegated cgroup",
        () => assertUserManager(lima, "vm"),
      );

      await t.step(
        "boot and system provisions run, with the network online",
        async () => {
          assert.equal(
            await lima.sh(
              "vm",
              "cat /var/tmp/online-at-boot /var/tmp/online-at-system",
            ),
            "active\nactive",
          );
        },
      );

      await t.step("the 9p mount from the seed's fstab is there", async () => {
        await Deno.writeTextFile(`${shared}/from host`, "fast\n");
        assert.equal(
          await lima.sh("vm", "cat '/mnt/shared/from host'"),
          "fast",
        );
      });

      await t.step(
        "a crash that left the host key files empty does not keep sshd down",
        async () => {
          await lima.sh(
            "vm",
            "sudo truncate -s 0 /etc/ssh/ssh_host_ed25519_key* && sync",
          );
          Deno.kill(await lima.pid("vm", "qemu.pid"), "SIGKILL");
          await waitFor(
            "the status to become Stopped",
            10_000,
            async () => (await lima.status("vm")).status === "Stopped",
          );
          await start(lima, ["vm"]);
          assert.match(
            await lima.sh(
              "vm",
              "sudo ssh-keygen -y -f /etc/ssh/ssh_host_ed25519_key",
            ),
            /^ssh-ed25519 /,
          );
        },
      );

      await t.step(
        "a PVH kernel older than the instance's kernel is made again",
        async () => {
          await lima.expect(0, ["stop", "vm"]);
          const dir = join(lima.home, "vm");
          await Deno.writeTextFile(join(dir, PVH_KERNEL), "stale");
          const later = new Date(Date.now() + 2000);
          await Deno.utime(join(dir, "kernel"), later, later);
          await start(lima, ["vm"]);
          assert.equal(await qemuKernel(lima), join(dir, PVH_KERNEL));
          assert.equal(
            (await Deno.stat(join(dir, PVH_KERNEL))).size,
            (await Deno.stat(image.vmlinux)).size,
          );
        },
      );

      await lima.expect(0, ["stop", "vm"]);
    });
  } finally {
    await Deno.remove(shared, { recursive: true });
  }
});

/** The command line of instance "vm"'s QEMU. */
async function qemuArgs(lima: Lima): Promise<string[]> {
  const pid = await lima.pid("vm", "qemu.pid");
  return (await Deno.readTextFile(`/proc/${pid}/cmdline`)).split("\0");
}

/** The file QEMU of instance "vm" boots as its kernel (`-kernel`). */
async function qemuKernel(lima: Lima): Promise<string | undefined> {
  const args = await qemuArgs(lima);
  const at = args.indexOf("-kernel");
  return at < 0 ? undefined : args[at + 1];
}
