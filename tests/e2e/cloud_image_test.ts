/**
 * The way users boot: upstream templates as written (`template:debian-12`, `template:default`),
 * with only their images replaced (`--set`) by a cloud-shaped image (GPT, GRUB at the
 * removable-media path of the EFI system partition, growpart) that a local HTTP server publishes
 * xz-compressed with its sha512 digest.
 *
 * The debian-12 instance goes through the download, the digest check and decompression, a UEFI
 * boot through the host's OVMF, cloud-init growing the root file system to the 10 GiB disk, its
 * home mount over reverse-sshfs (the template rules out 9p), and the guest contract of
 * `guest_contract.ts` with an additional disk, `env`, `hostResolver.hosts` and a `param` added
 * with `--set`; then a restart of the same disk through SeaBIOS (`firmware.legacyBIOS: true`)
 * keeps the guest's files and the disk's. The `default` instance boots from the cached image,
 * and `factory-reset` gives it a fresh guest. Four boots, one VM at a time. Needs root (the
 * image build), QEMU, qemu-img, OVMF and OpenSSH; outside CI a missing prerequisite skips the
 * test, in CI it fails it.
 */
import assert from "node:assert/strict";
import { startServer } from "../fixtures/http_server.ts";
import {
  checkDisk,
  CI,
  cloudImage,
  decoder,
  denoDirEnv,
  Lima,
  seconds,
  skipVMTests,
  start,
  withLima,
} from "./harness.ts";
import {
  assertAdditionalDisk,
  assertBinarySafeShell,
  assertBootDone,
  assertCopy,
  assertExitCodes,
  assertInstanceLogs,
  assertOpenSSH,
  assertQuoting,
  assertResolverHosts,
  assertWorkingDirectory,
  diskUser,
  RESOLVER_HOSTS,
} from "./guest_contract.ts";

const GiB = 1024 ** 3;
const IMAGE_PATH = "/debian-12-genericcloud-amd64.qcow2.xz";

/** Debian's OVMF (package `ovmf`), which `.ci/run` installs; the driver finds it there. */
const OVMF = "/usr/share/OVMF/OVMF_CODE.fd";
const noOVMF = !CI && !(await Deno.stat(OVMF).catch(() => undefined));
if (noOVMF) console.error(`UEFI test skipped, missing: ${OVMF} (package ovmf)`);

/** A system provision that records the `param` it is given. */
const PARAM_PROVISION = {
  mode: "system",
  script: '#!/bin/sh\nprintf "%s\\n" "$PARAM_GREETING" >/etc/contract-param\n',
};

Deno.test({
  name:
    "upstream templates with a downloaded cloud image boot through UEFI and SeaBIOS, keep the guest contract and factory-reset",
  ignore: skipVMTests || noOVMF,
}, async (t) => {
  const image = await cloudImage();
  const server = startServer();
  server.route(IMAGE_PATH, { body: { file: image.compressed } });
  const started = performance.now();
  try {
    await withLima(async ({ home }) => {
      // A home and a cache of their own: the template's `~` mount shows only the test's files,
      // and the image is downloaded by this test.
      const hostHome = `${home}/_home`;
      await Deno.mkdir(`${hostHome}/mounted dir`, { recursive: true });
      const lima = new Lima(home, {
        HOME: hostHome,
        XDG_CACHE_HOME: `${home}/_cache`,
        ...await denoDirEnv(),
      });
      const images = JSON.stringify([{
        location: server.url(IMAGE_PATH),
        arch: "x86_64",
        digest: image.digest,
      }]);
      const name = "cloud";
      const dir = lima.dir(name);
      const firmware = (instance: string) =>
        lima.sh(
          instance,
          "test -d /sys/firmware/efi && echo uefi || echo bios",
        );
      await lima.expect(0, ["disk", "create", "data", "--size", "64MiB"]);

      await t.step(
        "start downloads, checks and decompresses the image, boots it through UEFI and returns after READY",
        async () => {
          const r = await start(lima, [
            "--tty=false",
            "--name",
            name,
            "--set",
            `.images = ${images}`,
            "--set",
            '.additionalDisks = ["data"]',
            "--set",
            '.env.CONTRACT_ENV = "set by env"',
            "--set",
            `.hostResolver.hosts = ${JSON.stringify(RESOLVER_HOSTS)}`,
            "--set",
            `.provision = ${JSON.stringify([PARAM_PROVISION])}`,
            "--set",
            '.param.GREETING = "hello param"',
            "--disk",
            "10",
            "--containerd",
            "none",
            "template:debian-12",
          ]);
          assert.equal(server.count(IMAGE_PATH, "GET"), 1);
          assert.match(r.stderr, /READY/);
          // Nothing is still on its way when start returns.
          assert.match(
            await Deno.readTextFile(`${dir}/ha.stdout.log`),
            /"running":true/,
          );
          await assertBootDone(lima, name);
          const info = JSON.parse(
            decoder.decode(
              (await new Deno.Command("qemu-img", {
                args: ["info", "-U", "--output=json", `${dir}/disk`],
              }).output()).stdout,
            ),
          );
          assert.equal(info.format, "qcow2");
          assert.equal(info["virtual-size"], 10 * GiB);
          assert.equal(await firmware(name), "uefi");
        },
      );

      await t.step(
        "cloud-init's growpart grew the root file system to the disk",
        async () => {
          const [source, size] = (await lima.sh(
            name,
            "findmnt -no SOURCE /; df -B1 --output=size / | tail -1",
          )).split(/\s+/);
          assert.equal(source, "/dev/vda1");
          assert.ok(
            Number(size) > 9.5 * GiB && Number(size) <= 10 * GiB,
            `root file system is ${Number(size) / GiB} GiB`,
          );
        },
      );

      await t.step("a second start is a no-op", async () => {
        const qemu = await lima.pid(name, "qemu.pid");
        const again = await lima.expect(0, ["start", name]);
        assert.match(again.stderr, /already running/);
        assert.equal(await lima.pid(name, "qemu.pid"), qemu);
      });

      await t.step(
        "shell: binary-safe stdio, exit codes, 255 when SSH breaks, quoting, NAME=value",
        async () => {
          await assertBinarySafeShell(lima, name);
          await assertExitCodes(lima, name);
          await assertQuoting(lima, name);
        },
      );

      await t.step(
        "shell starts in --workdir, else the mounted host directory, else the mounted home",
        async () => {
          assert.equal(
            await lima.sh(name, `findmnt -n -o FSTYPE -M '${hostHome}'`),
            "fuse.sshfs",
          );
          await assertWorkingDirectory(lima, name, {
            mounted: `${hostHome}/mounted dir`,
            outside: home,
            hostHome,
          });
        },
      );

      await t.step(
        "copy: both ways, -r into a directory, several sources, INSTANCE:./relative",
        async () => {
          await Deno.mkdir(`${home}/_copy`);
          await assertCopy(lima, name, `${home}/_copy`);
        },
      );

      await t.step(
        "the additional disk is in use, formatted once, labelled and mounted",
        async () => {
          assert.equal(await assertAdditionalDisk(lima, name, "data"), 1);
          await lima.sh(name, "echo on-data > /mnt/lima-data/marker && sync");
        },
      );

      await t.step(
        "env, hostResolver.hosts and param reach the guest",
        async () => {
          assert.match(
            await lima.sh(name, "cat /etc/environment"),
            /^CONTRACT_ENV=.*set by env/m,
          );
          assert.equal(
            await lima.sh(name, "printenv CONTRACT_ENV"),
            "set by env",
          );
          await assertResolverHosts(lima, name);
          assert.equal(
            await lima.sh(name, "cat /etc/contract-param"),
            "hello param",
          );
        },
      );

      await t.step(
        "serial logs, JSON lines in ha.stderr.log, and ssh -F ssh.config with OpenSSH",
        async () => {
          await assertInstanceLogs(lima, name);
          await assertOpenSSH(lima, name);
        },
      );

      // One boot for both: a restart, and the same disk through SeaBIOS (a boot more would
      // cost about a minute of CI time under TCG).
      await t.step(
        "after stop, firmware.legacyBIOS: true boots the same disk through SeaBIOS with the data kept",
        async () => {
          const marker = `data-${crypto.randomUUID()}`;
          await lima.sh(name, `echo ${marker} > ~/marker && sync`);
          await lima.expect(0, ["stop", name]);
          assert.equal(await diskUser(lima, "data"), "");
          await checkDisk(`${dir}/disk`);
          await lima.expect(0, [
            "edit",
            "--tty=false",
            "--set",
            ".firmware.legacyBIOS = true",
            name,
          ]);
          await start(lima, [name]);
          assert.equal(await firmware(name), "bios");
          assert.equal(await lima.sh(name, "cat ~/marker"), marker);
          assert.equal(await assertAdditionalDisk(lima, name, "data"), 1);
          assert.equal(
            await lima.sh(name, "cat /mnt/lima-data/marker"),
            "on-data",
          );
          await lima.expect(0, ["stop", name]);
        },
      );

      await t.step(
        "template:default boots the cached image through UEFI; shell starts in the guest home",
        async () => {
          await start(lima, [
            "--tty=false",
            "--set",
            `.images = ${images}`,
            "--disk",
            "10",
            "--mount-none",
            "--containerd",
            "none",
            "template:default",
          ]);
          assert.equal(server.count(IMAGE_PATH, "GET"), 1);
          assert.equal(await firmware("default"), "uefi");
          await assertWorkingDirectory(lima, "default", { outside: home });
        },
      );

      await t.step(
        "factory-reset gives a fresh guest that boots to READY",
        async () => {
          await lima.sh("default", "echo before > ~/marker && sync");
          await lima.expect(0, ["stop", "default"]);
          await lima.expect(0, ["factory-reset", "default"]);
          await assert.rejects(Deno.stat(`${lima.dir("default")}/disk`));
          const r = await start(lima, ["default"]);
          assert.match(r.stderr, /READY/);
          assert.equal(
            await lima.sh(
              "default",
              "test -e ~/marker && echo kept || echo gone",
            ),
            "gone",
          );
          await assertBootDone(lima, "default");
          await lima.expect(0, ["stop", "default"]);
        },
      );
    });
  } finally {
    await server.close();
    console.log(`  cloud image test: ${seconds(performance.now() - started)}`);
  }
});
