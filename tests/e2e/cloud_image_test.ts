/**
 * The way users boot: the upstream `template:debian-12` as written, with only its images
 * replaced (`--set`) by a cloud-shaped image (GPT, GRUB at the removable-media path of the
 * EFI system partition, growpart) that a local HTTP server publishes xz-compressed with its
 * sha512 digest. One instance goes through the download, the digest check and decompression,
 * a UEFI boot through the host's OVMF, cloud-init growing the root file system to the 10 GiB
 * disk, the guest contract of `limactl shell`, and a restart of the same disk through SeaBIOS
 * (`firmware.legacyBIOS: true`) that keeps the guest's files. Needs root (the image build),
 * QEMU, qemu-img and OVMF; outside CI a missing prerequisite skips the test, in CI it fails it.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startServer } from "../fixtures/http_server.ts";
import {
  checkDisk,
  CI,
  cloudImage,
  decoder,
  Lima,
  seconds,
  skipVMTests,
  start,
  withLima,
} from "./harness.ts";

const GiB = 1024 ** 3;
const IMAGE_PATH = "/debian-12-genericcloud-amd64.qcow2.xz";

/** Stdout of `limactl shell NAME ARGS…` as bytes, with INPUT on its stdin. */
async function shellBytes(
  lima: Lima,
  name: string,
  args: string[],
  input?: Uint8Array,
): Promise<Uint8Array> {
  const child = lima.command(["shell", name, ...args], input ? "piped" : "null")
    .spawn();
  if (input) {
    const writer = child.stdin.getWriter();
    await writer.write(input);
    await writer.close();
  }
  const out = await child.output();
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  return out.stdout;
}

/** Random bytes; getRandomValues fills at most 64 KiB per call. */
function randomBytes(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) {
    crypto.getRandomValues(data.subarray(at, at + 65536));
  }
  return data;
}

/** Debian's OVMF (package `ovmf`), which `.ci/run` installs; the driver finds it there. */
const OVMF = "/usr/share/OVMF/OVMF_CODE.fd";
const noOVMF = !CI && !(await Deno.stat(OVMF).catch(() => undefined));
if (noOVMF) console.error(`UEFI test skipped, missing: ${OVMF} (package ovmf)`);

Deno.test({
  name:
    "template:debian-12 with a downloaded cloud image boots through UEFI, grows its root, keeps the shell contract and boots through SeaBIOS",
  ignore: skipVMTests || noOVMF,
}, async (t) => {
  const image = await cloudImage();
  const server = startServer();
  server.route(IMAGE_PATH, { body: { file: image.compressed } });
  const started = performance.now();
  try {
    await withLima(async (home) => {
      // A cache of its own, so that the image is downloaded by this test.
      const lima = new Lima(home.home, {
        XDG_CACHE_HOME: `${home.home}/_cache`,
      });
      const name = "cloud";
      const dir = lima.dir(name);
      const efi = () =>
        lima.sh(name, "test -d /sys/firmware/efi && echo uefi || echo bios");

      await t.step(
        "start downloads, checks and decompresses the image and boots it through UEFI",
        async () => {
          const images = JSON.stringify([{
            location: server.url(IMAGE_PATH),
            arch: "x86_64",
            digest: image.digest,
          }]);
          const r = await start(lima, [
            "--tty=false",
            "--name",
            name,
            "--set",
            `.images = ${images}`,
            "--disk",
            "10",
            "--mount-none",
            "--containerd",
            "none",
            "template:debian-12",
          ]);
          assert.equal(server.count(IMAGE_PATH, "GET"), 1);
          assert.match(r.stderr, /READY/);
          const info = JSON.parse(
            decoder.decode(
              (await new Deno.Command("qemu-img", {
                args: ["info", "-U", "--output=json", `${dir}/disk`],
              }).output()).stdout,
            ),
          );
          assert.equal(info.format, "qcow2");
          assert.equal(info["virtual-size"], 10 * GiB);
          assert.equal(await efi(), "uefi");
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

      await t.step(
        "shell carries binary data both ways and exit codes back",
        async () => {
          const data = randomBytes(10 * 1024 * 1024);
          const guestSum = decoder.decode(
            await shellBytes(lima, name, [
              "sh",
              "-c",
              "cat > /tmp/random.bin && sha256sum < /tmp/random.bin",
            ], data),
          ).split(" ")[0];
          assert.equal(
            guestSum,
            createHash("sha256").update(data).digest("hex"),
          );
          const back = await shellBytes(lima, name, ["cat", "/tmp/random.bin"]);
          assert.equal(back.length, data.length);
          assert.ok(back.every((b, i) => b === data[i]), "stdout differs");
          const exit = await lima.run(["shell", name, "sh", "-c", "exit 42"]);
          assert.equal(exit.code, 42, exit.stderr);
        },
      );

      await t.step("a second start is a no-op", async () => {
        const again = await lima.expect(0, ["start", name]);
        assert.match(again.stderr, /already running/);
      });

      // One boot for both: a restart, and the same disk through SeaBIOS (a third boot would
      // cost about a minute of CI time under TCG).
      await t.step(
        "after stop, firmware.legacyBIOS: true boots the same disk through SeaBIOS with the data kept",
        async () => {
          const marker = `data-${crypto.randomUUID()}`;
          await lima.sh(name, `echo ${marker} > ~/marker && sync`);
          await lima.expect(0, ["stop", name]);
          await checkDisk(`${dir}/disk`);
          await lima.expect(0, [
            "edit",
            "--tty=false",
            "--set",
            ".firmware.legacyBIOS = true",
            name,
          ]);
          await start(lima, [name]);
          assert.equal(await efi(), "bios");
          assert.equal(await lima.sh(name, "cat ~/marker"), marker);
        },
      );
    });
  } finally {
    await server.close();
    console.log(`  cloud image test: ${seconds(performance.now() - started)}`);
  }
});
