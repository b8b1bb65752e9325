import assert from "node:assert/strict";
import { configureLogger } from "../log.ts";
import { LimaError } from "../errors.ts";
import { IMAGES, KEY, seed, seedOptions, seedText } from "./_test_config.ts";
import { newInstanceID, seedContents, seedFiles } from "./seed.ts";

const logs: string[] = [];
configureLogger({ write: (line) => logs.push(line) });

const modeOf = (files: ReturnType<typeof seed>, path: string) =>
  files.find((f) => f.path === path)?.mode ?? 0o644;

Deno.test("the seed has the cloud-init files, the environment files and the boot scripts", () => {
  const paths = seed("").map((f) => f.path);
  for (
    const path of [
      "user-data",
      "meta-data",
      "network-config",
      "lima.env",
      "param.env",
      "etc_environment",
      "boot.sh",
      "boot.Linux/05-lima-disks.sh",
      "boot.Linux/07-etc-environment.sh",
      "boot.Linux/30-install-packages.sh",
      "util/compare_version.sh",
      "util/escape_fstab.sh",
      "util/unescape_fstab.sh",
      "util/provision_run.sh",
      "lima-init",
      "ssh_authorized_keys",
      "fstab",
    ]
  ) {
    assert.ok(paths.includes(path), `${path} is in the seed`);
  }
  assert.equal(new Set(paths).size, paths.length, "no path twice");
  assert.ok(!paths.includes("lima-guestagent"));
});

Deno.test("scripts are executable and data files are not", () => {
  const files = seed(
    "provision: [{script: 'echo hi'}, {mode: data, path: /etc/x, content: x}]\n",
  );
  for (const f of files) {
    const executable =
      /^(boot\.sh$|lima-init$|boot\.|util\/|provision\.system\/)/.test(
        f.path,
      );
    const secret = f.path === "ssh_authorized_keys";
    assert.equal(
      f.mode ?? 0o644,
      executable ? 0o755 : secret ? 0o600 : 0o644,
      f.path,
    );
  }
});

Deno.test("meta-data names the instance id and the guest host name", () => {
  assert.equal(
    seedText(seedFiles(seedOptions(IMAGES, { name: "my_vm.1" })), "meta-data"),
    "instance-id: iid-1700000000\nlocal-hostname: lima-my-vm-1\n",
  );
});

Deno.test("a new instance id is made from the current time in seconds", () => {
  assert.equal(newInstanceID(new Date(1_700_000_123_999)), "iid-1700000123");
  const options = seedOptions(IMAGES, { instanceID: undefined });
  const before = Math.floor(Date.now() / 1000);
  const { instanceID, files } = seedContents(options);
  const seconds = Number(/^iid-(\d+)$/.exec(instanceID)?.[1]);
  assert.ok(seconds >= before && seconds <= before + 5, instanceID);
  assert.match(
    seedText(files, "meta-data"),
    new RegExp(`^instance-id: ${instanceID}$`, "m"),
  );
  assert.match(
    seedText(files, "lima.env"),
    new RegExp(`^LIMA_CIDATA_IID=${instanceID}$`, "m"),
  );
});

Deno.test("param.env exports every param with the PARAM_ prefix, sorted", () => {
  const files = seed(
    "param: {b: 'two words', A: 'x=1'}\nprovision: [{script: 'echo $PARAM_A $PARAM_b'}]\n",
  );
  assert.equal(
    seedText(files, "param.env"),
    "PARAM_A=x=1\nPARAM_b=two words\n",
  );
  assert.equal(seedText(seed(""), "param.env"), "");
});

Deno.test("provision files are numbered by their index in the provision list", () => {
  const files = seed(
    [
      "provision:",
      "- {mode: boot, script: echo boot}",
      "- {mode: system, script: echo system}",
      "- {mode: user, script: echo user}",
      "- {mode: dependency, script: echo dependency}",
      "- {mode: data, path: /etc/motd, content: hello}",
      "- {mode: yq, path: /etc/a.yaml, expression: .a = 1}",
      "- {mode: system, script: echo again}",
    ].join("\n") + "\n",
  );
  const provisions = files.filter((f) => f.path.startsWith("provision."));
  assert.deepEqual(
    provisions.map((f) => [f.path, new TextDecoder().decode(f.data), f.mode]),
    [
      ["provision.boot/00000000", "echo boot", 0o755],
      ["provision.system/00000001", "echo system", 0o755],
      ["provision.user/00000002", "echo user", 0o755],
      ["provision.dependency/00000003", "echo dependency", 0o755],
      ["provision.data/00000004", "hello", 0o644],
      ["provision.yq/00000005", ".a = 1", 0o644],
      ["provision.system/00000006", "echo again", 0o755],
    ],
  );
});

Deno.test("the guest agent is in the seed unless the instance is plain", () => {
  const agent = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]);
  const files = seed("", { guestAgentBinary: agent });
  assert.deepEqual(files.find((f) => f.path === "lima-guestagent"), {
    path: "lima-guestagent",
    data: agent,
    mode: 0o755,
  });
  assert.ok(
    !seed("plain: true\n", { guestAgentBinary: agent }).some((f) =>
      f.path === "lima-guestagent"
    ),
  );
});

Deno.test("the nerdctl archive is in the seed when containerd is enabled", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const archive = `${dir}/nerdctl-full.tar.gz`;
    await Deno.writeFile(archive, new Uint8Array([0x1f, 0x8b, 8, 0]));
    const files = seed("containerd: {user: true}\n", {
      nerdctlArchive: archive,
    });
    assert.deepEqual([
      ...files.find((f) => f.path === "nerdctl-full.tgz")!.data,
    ], [0x1f, 0x8b, 8, 0]);
    assert.ok(
      !seed("containerd: {user: false, system: false}\n", {
        nerdctlArchive: archive,
      }).some((f) => f.path === "nerdctl-full.tgz"),
    );
    assert.throws(
      () =>
        seed("containerd: {system: true}\n", {
          nerdctlArchive: `${dir}/missing.tgz`,
        }),
      /Cannot read the nerdctl archive/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driver boot scripts go to their boot.<OS> directory, bare names to boot.Linux", () => {
  logs.length = 0;
  const files = seed("", {
    driverBootScripts: {
      "boot.Linux/05-rosetta-volume.sh": "#!/bin/sh\necho rosetta\n",
      "01-gpu.sh": "#!/bin/sh\n",
    },
  });
  assert.equal(
    seedText(files, "boot.Linux/05-rosetta-volume.sh"),
    "#!/bin/sh\necho rosetta\n",
  );
  assert.equal(modeOf(files, "boot.Linux/05-rosetta-volume.sh"), 0o755);
  assert.equal(seedText(files, "boot.Linux/01-gpu.sh"), "#!/bin/sh\n");
  assert.equal(logs.length, 1);
  assert.match(logs[0], /01-gpu\.sh/);
});

Deno.test("drivers without cloud-init get the authorized keys as a file", () => {
  const files = seed("", {
    noCloudInit: true,
    sshPublicKeys: [KEY, "ssh-rsa AAAAB3 bob@host\n"],
  });
  assert.equal(
    seedText(files, "ssh_authorized_keys"),
    `${KEY}\nssh-rsa AAAAB3 bob@host\n`,
  );
});

Deno.test("a seed without SSH keys is refused", () => {
  assert.throws(
    () => seed("", { sshPublicKeys: [] }),
    (err: unknown) =>
      err instanceof LimaError &&
      err.message === "no SSH key was found, run `ssh-keygen`",
  );
});

Deno.test("a seed for a guest other than Linux is refused", () => {
  assert.throws(
    () => seed("os: FreeBSD\n"),
    /Cannot generate a cidata seed for `FreeBSD` guests/,
  );
});

Deno.test("a config whose defaults were not filled is refused with the field", () => {
  const options = seedOptions(IMAGES);
  delete options.config.user;
  assert.throws(
    () => seedFiles(options),
    (err: unknown) => err instanceof LimaError && /`user`/.test(err.message),
  );
});

Deno.test("cloud-config.yaml is the user-data without mounts and resolv_conf", () => {
  const { files, cloudConfig } = seedContents(
    seedOptions(IMAGES + "mountType: 9p\nmounts: [{location: /srv}]\n"),
  );
  const userData = seedText(files, "user-data");
  assert.match(userData, /^mounts:$/m);
  assert.match(userData, /^resolv_conf:$/m);
  assert.doesNotMatch(
    cloudConfig,
    /^(mounts|resolv_conf|manage_resolv_conf):/m,
  );
  const strip = (s: string) =>
    s.replace(/^mounts:\n( .*\n)+/m, "").replace(
      /^manage_resolv_conf: .*\n/m,
      "",
    ).replace(/^resolv_conf:\n( .*\n)+/m, "");
  assert.equal(cloudConfig, strip(userData));
});

Deno.test("fstab lists the kernel mounts for guests without cloud-init", () => {
  const files = seedFiles(seedOptions(
    `${IMAGES}mountType: 9p\nmounts: [{location: /tmp/a b, mountPoint: "/mnt/a b", writable: true}]\n`,
  ));
  const fstab = seedText(files, "fstab");
  assert.match(
    fstab,
    /^lima-[0-9a-f]{16} \/mnt\/a\\040b 9p rw,trans=virtio,version=9p2000\.L,msize=\d+,cache=mmap,nofail 0 0\n$/,
  );
});
