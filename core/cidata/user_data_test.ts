import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parse } from "yaml";
import { seed, seedText } from "./_test_config.ts";
import { PER_BOOT_SCRIPT } from "./user_data.ts";

interface CloudConfig {
  mounts?: string[][];
  timezone?: string;
  users: Record<string, unknown>[];
  write_files: {
    content: string;
    owner: string;
    path: string;
    permissions: string;
  }[];
  bootcmd?: string[];
  resolv_conf?: { nameservers: string[] };
  manage_resolv_conf?: boolean;
  ca_certs?: { remove_defaults: boolean; trusted?: string[] };
  package_update?: boolean;
  package_upgrade?: boolean;
  package_reboot_if_required?: boolean;
  growpart: unknown;
}

function userData(text: string): { raw: string; doc: CloudConfig } {
  const raw = seedText(seed(text), "user-data");
  return { raw, doc: parse(raw, { version: "1.1" }) as CloudConfig };
}

async function sh(script: string): Promise<string> {
  const out = await new Deno.Command("sh", {
    args: ["-c", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

Deno.test("user-data is a cloud-config document with the instance user", () => {
  const { raw, doc } = userData("");
  assert.equal(raw.split("\n")[0], "#cloud-config");
  assert.deepEqual(doc.growpart, { mode: "auto", devices: ["/"] });
  assert.deepEqual(doc.users, [{
    name: "alice",
    uid: "501",
    gecos: "Alice Liddell",
    homedir: "/home/alice.guest",
    shell: "/bin/bash",
    sudo: "ALL=(ALL) NOPASSWD:ALL",
    lock_passwd: true,
    "ssh-authorized-keys": [
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbc alice@host",
    ],
  }]);
  // cloud-init wants the uid as a string and every key verbatim.
  assert.match(raw, /^ {4}uid: "501"$/m);
  assert.match(
    raw,
    /^ {6}- "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbc alice@host"$/m,
  );
});

Deno.test("user-data quotes values a YAML 1.1 reader would turn into other types", () => {
  const { doc } = userData('user: {name: "on", comment: "no", uid: 1000}\n');
  assert.equal(doc.users[0].name, "on");
  assert.equal(doc.users[0].gecos, "no");
  assert.equal(doc.users[0].uid, "1000");
});

Deno.test("user-data asks for a password when sudo is not passwordless", () => {
  const { doc } = userData("plain: true\nuser: {passwordlessSudo: false}\n");
  assert.equal(doc.users[0].sudo, "ALL=(ALL) ALL");
  assert.equal(doc.users[0].lock_passwd, false);
});

Deno.test("user-data installs the per-boot script that mounts the seed and runs boot.sh", async () => {
  const { doc } = userData("");
  const [file] = doc.write_files;
  assert.equal(file.path, PER_BOOT_SCRIPT);
  assert.equal(file.owner, "root:root");
  assert.equal(file.permissions, "0755");
  assert.match(file.content, /^#!\/bin\/sh\n/);
  assert.match(
    file.content,
    /mount -o ro,mode=0700,dmode=0700,overriderockperm,exec,uid=0 "\$LIMA_CIDATA_DEV" "\$LIMA_CIDATA_MNT"/,
  );
  assert.match(file.content, /LIMA_CIDATA_DEV="\/dev\/disk\/by-label\/cidata"/);
  assert.match(file.content, /exec "\$LIMA_CIDATA_MNT\/boot.sh"\n$/);
  await sh(`sh -n <<'EOF'\n${file.content}EOF`);
});

/** The write_files entry for PATH in the default user-data. */
const writtenFile = (path: string) =>
  userData("").doc.write_files.find((f) => f.path === path);

Deno.test("user-data delegates every cgroup controller to the user's manager before any login", () => {
  const dropin = writtenFile("/etc/systemd/system/user@.service.d/lima.conf");
  assert.equal(dropin?.content, "[Service]\nDelegate=yes\n");
  assert.equal(dropin?.permissions, "0644");
});

Deno.test("user-data lets sshd accept COLORTERM from its first start", () => {
  const dropin = writtenFile("/etc/ssh/sshd_config.d/99-lima-colorterm.conf");
  assert.equal(dropin?.content, "AcceptEnv COLORTERM\n");
  assert.equal(dropin?.permissions, "0644");
});

Deno.test("user-data runs boot provisions in bootcmd with the params exported", async () => {
  const { doc } = userData(
    [
      "param: {GREETING: 'hello world', Z: 'last=1'}",
      "provision:",
      "- mode: boot",
      "  script: |",
      "    #!/bin/sh",
      '    echo "first $PARAM_GREETING $PARAM_Z"',
      "- mode: system",
      "  script: echo not a boot script $PARAM_GREETING",
      "- mode: boot",
      '  script: echo "second $PARAM_GREETING"',
    ].join("\n") + "\n",
  );
  const own = templateCommands(doc);
  assert.equal(own.length, 2);
  assert.equal(await sh(own[0]), "first hello world last=1\n");
  assert.equal(await sh(own[1]), "second hello world\n");
});

/** The bootcmd entries that come from the template: those after the two of every seed. */
function templateCommands(doc: CloudConfig): string[] {
  const [environment, early, ...rest] = doc.bootcmd ?? [];
  assert.match(environment, /boot\.Linux\/07-etc-environment\.sh"\n/);
  assert.match(early, /--unit=lima-boot/);
  return rest;
}

Deno.test("user-data sets /etc/environment in bootcmd, before sshd starts", async () => {
  const { doc } = userData("upgradePackages: true\n");
  assert.equal(doc.bootcmd?.length, 1);
  const [environment] = doc.bootcmd!;
  assert.match(
    environment,
    /mount -o ro,mode=0700,dmode=0700,overriderockperm,exec,uid=0 "\$LIMA_CIDATA_DEV" "\$LIMA_CIDATA_MNT"/,
  );
  assert.match(
    environment,
    /LIMA_CIDATA_USER=\* \| LIMA_CIDATA_UID=\* \| LIMA_CIDATA_IID=\*\) export/,
  );
  assert.match(
    environment,
    /\) \|\| true\n$/,
    "a failure does not stop bootcmd",
  );
  await sh(`sh -n <<'EOF'\n${environment}EOF`);
});

Deno.test("user-data starts the boot scripts after the network stage unless packages are upgraded", async () => {
  const { doc } = userData("provision: [{script: echo hi}]\n");
  assert.deepEqual(templateCommands(doc), []);
  const early = doc.bootcmd![1];
  assert.match(early, /systemd-run --no-block .*--unit=lima-boot/);
  assert.match(early, /--property=After=cloud-init\.service/);
  assert.match(early, /--setenv=LIMA_BOOT_EARLY=1/);
  assert.match(
    early,
    /--property=CPUWeight=500 /,
    "the boot scripts, which READY waits for, come first",
  );
  assert.match(
    early,
    /systemctl set-property --runtime cloud-config\.service CPUWeight=10 /,
    "the config stage yields the CPU to sshd and the boot scripts",
  );
  assert.match(early, new RegExp(`exec ${PER_BOOT_SCRIPT} `));
  await sh(`sh -n <<'EOF'\n${early}EOF`);
  // cloud-final runs the per-boot script too; only the first start goes on.
  const [file] = doc.write_files;
  assert.match(
    file.content,
    /mkdir \/run\/lima-boot-started 2>\/dev\/null \|\| exit 0/,
  );

  assert.ok(
    !userData("upgradePackages: true\n").doc.bootcmd!.some((c) =>
      c.includes("lima-boot")
    ),
    "package upgrades come first, in cloud-final",
  );
});

Deno.test("user-data renames NICs by MAC in bootcmd when there are networks", async () => {
  const { doc } = userData(
    "networks: [{lima: shared, macAddress: '52:55:55:aa:bb:cc'}]\n",
  );
  const [rename, ...rest] = templateCommands(doc);
  assert.deepEqual(rest, []);
  assert.match(rename, /rename_nic '52:55:55:aa:bb:cc' 'lima0'/);
  assert.match(rename, /rename_nic '52:55:55:[0-9a-f:]{8}' 'eth0'/);
  await sh(`sh -n <<'EOF'\n${rename}EOF`);
});

Deno.test("user-data mounts 9p shares by their sha256 tags with the 9p options", () => {
  const { doc } = userData(
    [
      "mountType: 9p",
      "mounts:",
      "- location: /srv/data",
      "  writable: true",
      "- location: /srv/ro",
      "  mountPoint: /mnt/ro",
      "  9p: {msize: 256KiB, protocolVersion: 9p2000.u, cache: none}",
    ].join("\n") + "\n",
  );
  const tag = (s: string) =>
    "lima-" + createHash("sha256").update(s).digest("hex").slice(0, 16);
  assert.deepEqual(doc.mounts, [
    [
      tag("/srv/data:/srv/data"),
      "/srv/data",
      "9p",
      "rw,trans=virtio,version=9p2000.L,msize=131072,cache=mmap,nofail",
      "0",
      "0",
    ],
    [
      tag("/srv/ro:/mnt/ro"),
      "/mnt/ro",
      "9p",
      "ro,trans=virtio,version=9p2000.u,msize=262144,cache=none,nofail",
      "0",
      "0",
    ],
  ]);
});

Deno.test("user-data mounts virtiofs shares with only the access mode", () => {
  const { doc } = userData(
    "mountType: virtiofs\nmounts: [{location: /srv/data}]\n",
  );
  assert.deepEqual(doc.mounts?.map((m) => m.slice(1)), [[
    "/srv/data",
    "virtiofs",
    "ro,nofail",
    "0",
    "0",
  ]]);
});

Deno.test("user-data leaves reverse-sshfs mounts to the host agent", () => {
  assert.equal(
    userData("mountType: reverse-sshfs\nmounts: [{location: /srv/data}]\n").doc
      .mounts,
    undefined,
  );
});

Deno.test("user-data leaves the time zone to the boot scripts (timezone_test.ts)", () => {
  assert.equal(userData("timezone: Asia/Tokyo\n").doc.timezone, undefined);
});

Deno.test("user-data upgrades packages only when asked", () => {
  assert.equal(userData("").doc.package_upgrade, undefined);
  const { doc } = userData("upgradePackages: true\n");
  assert.deepEqual(
    [doc.package_update, doc.package_upgrade, doc.package_reboot_if_required],
    [true, true, true],
  );
});

Deno.test("user-data configures resolv.conf with the DNS servers", () => {
  const { doc } = userData("");
  assert.equal(doc.manage_resolv_conf, true);
  assert.deepEqual(doc.resolv_conf, { nameservers: ["192.168.5.3"] });
  assert.deepEqual(
    userData("hostResolver: {enabled: false}\ndns: [1.1.1.1, 9.9.9.9]\n").doc
      .resolv_conf,
    { nameservers: ["1.1.1.1", "9.9.9.9"] },
  );
});

Deno.test("user-data trusts configured CA certificates from strings and files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pem =
      "-----BEGIN CERTIFICATE-----\nMIIBfile\n-----END CERTIFICATE-----\n";
    await Deno.writeTextFile(`${dir}/ca.pem`, pem);
    const inline =
      "-----BEGIN CERTIFICATE-----\nMIIBinline\n-----END CERTIFICATE-----\n";
    const { doc } = userData(
      `caCerts: {removeDefaults: true, files: [${dir}/ca.pem], certs: [${
        JSON.stringify(inline)
      }]}\n`,
    );
    assert.deepEqual(doc.ca_certs, {
      remove_defaults: true,
      trusted: [pem, inline],
    });
    assert.equal(userData("").doc.ca_certs, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("user-data fails clearly when a CA certificate file cannot be read", () => {
  assert.throws(
    () => userData("caCerts: {files: [/nonexistent/ca.pem]}\n"),
    /Cannot read the CA certificate file `\/nonexistent\/ca.pem`/,
  );
});
