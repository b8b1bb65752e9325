/**
 * Boots the Debian test guest with a cidata seed made by the in-tree ISO writer and logs in over
 * SSH: cloud-init must find the seed by its label, create the user with the key, and the guest
 * kernel must read the Rock Ridge names and modes. Needs root (the image build), QEMU and the
 * OpenSSH client; outside CI a missing prerequisite skips the test, in CI it fails it.
 */
import assert from "node:assert/strict";
import { buildIso } from "../../core/cidata/iso9660.ts";
import { buildGuestImage } from "../fixtures/guest_image.ts";
import { freeLoopbackPort } from "../fixtures/free_port.ts";
import {
  probeAccel,
  sshBanner,
  startVm,
  type Vm,
} from "../fixtures/qemu_vm.ts";
import { missingPrerequisites } from "../fixtures/prerequisites.ts";

const CI = Deno.env.get("CI") === "true";
/** From QEMU start to power-off: TCG on an idle 2-core host needs 30-50 s, twice that when busy. */
const BOOT_TIMEOUT_MS = Number(Deno.env.get("LIMA_TEST_BOOT_TIMEOUT") ?? 180) *
  1000;
const BUILD_TIMEOUT_MS = 20 * 60 * 1000;
const USER = "tester";
const UID = 1234;
const HOSTNAME = "lima-cidata-test";

const text = new TextEncoder();
const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => (ms / 1000).toFixed(1);

const missing = await missingPrerequisites([
  ["qemu-system-x86_64", "qemu-system-x86"],
  ["qemu-img", "qemu-utils"],
  ["ssh", "openssh-client"],
  ["ssh-keygen", "openssh-client"],
]);
if (missing.length > 0 && !CI) {
  console.error(
    `cidata_boot_test: skipped, missing: ${missing.join(", ")}`,
  );
}

async function run(cmd: string, args: string[], signal?: AbortSignal) {
  const out = await new Deno.Command(cmd, { args, stdin: "null", signal })
    .output();
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

function seedFiles(publicKey: string) {
  const userData = [
    "#cloud-config",
    "users:",
    `  - name: ${USER}`,
    `    uid: "${UID}"`,
    "    shell: /bin/bash",
    '    sudo: "ALL=(ALL) NOPASSWD:ALL"',
    "    lock_passwd: true",
    "    ssh-authorized-keys:",
    `      - "${publicKey}"`,
    "",
  ].join("\n");
  const metaData =
    `instance-id: iid-${Date.now()}\nlocal-hostname: ${HOSTNAME}\n`;
  return [
    { path: "meta-data", data: text.encode(metaData) },
    { path: "user-data", data: text.encode(userData) },
    { path: "lima.env", data: text.encode(`LIMA_CIDATA_USER=${USER}\n`) },
    { path: "param.env", data: new Uint8Array(0) },
    {
      path: "boot.essential.Linux/00-hello.sh",
      data: text.encode('#!/bin/sh\necho "hello from $(basename "$0")"\n'),
      mode: 0o755,
    },
  ];
}

async function diagnostics(vm: Vm): Promise<string> {
  const serial = await Deno.readTextFile(vm.serialLog).catch(() => "");
  return `\n--- last lines of ${vm.serialLog} ---\n` +
    serial.split("\n").slice(-40).join("\n") +
    `\n--- qemu stderr ---\n${vm.stderr()}`;
}

async function checkTime(vm: Vm, deadline: number, what: string) {
  if (!vm.isRunning()) {
    assert.fail(`QEMU exited while ${what}${await diagnostics(vm)}`);
  }
  if (Date.now() > deadline) {
    assert.fail(
      `timed out after ${BOOT_TIMEOUT_MS / 1000} s while ${what}` +
        await diagnostics(vm),
    );
  }
}

Deno.test({
  name:
    "a cidata seed from the ISO writer boots a guest that accepts SSH logins",
  ignore: missing.length > 0 && !CI,
}, async () => {
  assert.deepEqual(missing, [], "prerequisites are missing in CI");

  const buildStart = performance.now();
  const image = await buildGuestImage({
    signal: AbortSignal.timeout(BUILD_TIMEOUT_MS),
  });
  console.log(
    `guest image ready in ${
      seconds(performance.now() - buildStart)
    } s: ${image.disk}`,
  );

  const dir = await Deno.makeTempDir({ prefix: "limactl-cidata-boot-" });
  let vm: Vm | undefined;
  try {
    const key = `${dir}/id_ed25519`;
    const keygen = await run("ssh-keygen", [
      ...["-q", "-t", "ed25519", "-N", "", "-C", "limactl-test", "-f", key],
    ]);
    assert.equal(keygen.code, 0, keygen.stderr);
    const publicKey = (await Deno.readTextFile(`${key}.pub`)).trim();
    const cidata = `${dir}/cidata.iso`;
    const files = seedFiles(publicKey);
    const sizeOf = (path: string) =>
      files.find((f) => f.path === path)!.data.length;
    const userDataSize = sizeOf("user-data");
    const helloSize = sizeOf("boot.essential.Linux/00-hello.sh");
    await Deno.writeFile(cidata, buildIso(files, { volumeLabel: "cidata" }));

    const probe = await probeAccel(image, dir);
    console.log(`accelerator: ${probe.accel} (${probe.reason})`);

    let accel = probe.accel;
    let port = 0;
    let started = 0;
    let deadline = 0;
    for (;;) {
      port = freeLoopbackPort();
      started = performance.now();
      deadline = Date.now() + BOOT_TIMEOUT_MS;
      vm = await startVm({ image, dir, cidata, sshPort: port, accel });
      const booting = vm;
      // Nested KVM can pass the probe and still die later ("emulation failure"): retry with TCG.
      const kvmFailed = () =>
        accel === "kvm" &&
        (!booting.isRunning() ||
          booting.stderr().includes("KVM internal error"));
      while (!(await sshBanner(port))) {
        if (kvmFailed()) break;
        await checkTime(booting, deadline, "waiting for the SSH banner");
        await sleep(200);
      }
      if (!kvmFailed()) break;
      console.log(
        `KVM boot failed, retrying with TCG: ${booting.stderr().trim()}`,
      );
      await booting.kill();
      accel = "tcg";
    }
    const bannerMs = performance.now() - started;
    const running = vm;

    const ssh = async (command: string) => {
      const remaining = Math.max(1000, deadline - Date.now());
      return await run("ssh", [
        ...["-F", "/dev/null", "-p", String(port), "-i", key],
        ...["-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"],
        ...[
          "-o",
          "StrictHostKeyChecking=no",
          "-o",
          "UserKnownHostsFile=/dev/null",
        ],
        ...["-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR"],
        `${USER}@127.0.0.1`,
        command,
      ], AbortSignal.timeout(Math.min(30_000, remaining)));
    };

    let login = await ssh("cat /proc/cmdline; id; hostname");
    while (login.code !== 0) {
      await checkTime(
        running,
        deadline,
        `logging in over SSH (last error: ${login.stderr.trim()})`,
      );
      await sleep(500);
      login = await ssh("cat /proc/cmdline; id; hostname");
    }
    const loginMs = performance.now() - started;
    console.log(
      `boot (${accel}): SSH banner after ${seconds(bannerMs)} s, ` +
        `login after ${seconds(loginMs)} s`,
    );
    const [cmdline, id, hostname] = login.stdout.trim().split("\n");
    assert.match(cmdline, /\broot=\/dev\/vda\b/);
    assert.match(id, new RegExp(`^uid=${UID}\\(${USER}\\) `));
    assert.equal(hostname, HOSTNAME, "hostname comes from meta-data");

    // The guest kernel's isofs must see the Rock Ridge names and modes, with plain options
    // and with the ones Lima's boot script uses.
    const seed = await ssh(
      [
        "set -e",
        "sudo -n mount -o ro /dev/disk/by-label/cidata /mnt",
        "stat -c '%a %s %n' /mnt/user-data /mnt/param.env /mnt/boot.essential.Linux/00-hello.sh",
        "cat /mnt/lima.env",
        "/mnt/boot.essential.Linux/00-hello.sh",
        "sudo -n umount /mnt",
        "sudo -n mount -o ro,mode=0700,dmode=0700,overriderockperm,exec,uid=0 " +
        "/dev/disk/by-label/cidata /mnt",
        "sudo -n /mnt/boot.essential.Linux/00-hello.sh",
        "sudo -n umount /mnt",
      ].join("\n"),
    );
    assert.equal(seed.code, 0, seed.stderr);
    assert.equal(
      seed.stdout,
      [
        `644 ${userDataSize} /mnt/user-data`,
        "644 0 /mnt/param.env",
        `755 ${helloSize} /mnt/boot.essential.Linux/00-hello.sh`,
        `LIMA_CIDATA_USER=${USER}`,
        "hello from 00-hello.sh",
        "hello from 00-hello.sh",
        "",
      ].join("\n"),
    );

    const powerStart = performance.now();
    const stopped = await running.powerdown(
      Math.max(1000, deadline - Date.now()),
    );
    assert.ok(
      stopped,
      `the guest did not power off in time${await diagnostics(running)}`,
    );
    console.log(
      `power-off took ${seconds(performance.now() - powerStart)} s`,
    );
  } finally {
    await vm?.kill();
    await Deno.remove(dir, { recursive: true });
  }
});
