import assert from "node:assert/strict";
import { join } from "node:path";
import { LimaError } from "../../errors.ts";
import { fillDefaults } from "../fill.ts";
import type { HostInfo } from "../host.ts";
import { parseLimaYAML } from "../parse.ts";
import type { LimaYAML } from "../schema.ts";
import { builtinDriverRules as drivers } from "../../../drivers/builtin_rules.ts";
import { limaYAMLProblems, validateLimaYAML, ValidationError } from "./mod.ts";
import { builtinDefaultVMType } from "../../../drivers/default_vm_type.ts";

const host: HostInfo = {
  arch: "x86_64",
  os: "linux",
  cpus: 8,
  memory: 16 * 1024 ** 3,
  user: { name: "alice", uid: 501, comment: "Alice", home: "/home/alice" },
  timezone: "Europe/Berlin",
};

const tmp = Deno.makeTempDirSync({ prefix: "lima-validate-" });
const aFile = join(tmp, "file.txt");
Deno.writeTextFileSync(aFile, "x");
const IMAGE = `images: [{location: "https://example.com/disk.qcow2"}]\n`;

function filled(text: string, withImage = true): LimaYAML {
  const y = parseLimaYAML((withImage ? IMAGE : "") + text, {
    file: "test.yaml",
  });
  return fillDefaults(y, {
    instDir: join(tmp, "inst"),
    name: "inst",
    host,
    machineID: "m",
    warn: () => {},
    defaultVMType: builtinDefaultVMType,
  });
}

function problems(y: LimaYAML) {
  return limaYAMLProblems(y, { drivers, warn: () => {}, hostOS: "linux" });
}

Deno.test("a filled minimal config with a mount is valid", () => {
  assert.deepEqual(
    problems(
      filled(`mounts: [{location: ${JSON.stringify(tmp)}, writable: true}]\n`),
    ),
    [],
  );
});

Deno.test("validateLimaYAML throws one error listing every problem with the file", () => {
  const y = filled("cpus: -1\narch: sparc\n", false);
  assert.throws(
    () => validateLimaYAML(y, { file: "bad.yaml", drivers, warn: () => {} }),
    (err: unknown) => {
      assert.ok(err instanceof ValidationError && err instanceof LimaError);
      assert.deepEqual(err.problems.map((p) => p.path).sort(), [
        "arch",
        "cpus",
        "images",
      ]);
      assert.match(err.message, /^bad\.yaml: /);
      assert.match(err.message, /field `images` must be set/);
      assert.match(err.message, /field `cpus`/);
      assert.equal(err.message.split("\n").length, 3);
      return true;
    },
  );
});

interface Case {
  name: string;
  yaml?: string;
  /** Changes to a filled config, for states fill would not produce from YAML. */
  edit?: (y: LimaYAML) => void;
  path: string;
  message: RegExp;
  noImage?: boolean;
}

const cases: Case[] = [
  {
    name: "missing images",
    yaml: "",
    noImage: true,
    path: "images",
    message: /field `images` must be set/,
  },
  {
    name: "negative cpus",
    yaml: "cpus: -2\n",
    path: "cpus",
    message: /field `cpus` must be a positive number.*-2/,
  },
  {
    name: "garbage memory",
    yaml: "memory: lots\n",
    path: "memory",
    message: /field `memory` has an invalid value.*"4GiB"/,
  },
  {
    name: "negative memory",
    yaml: "memory: -1GiB\n",
    path: "memory",
    message: /field `memory` has an invalid value/,
  },
  {
    name: "zero disk",
    yaml: "disk: '0'\n",
    path: "disk",
    message: /field `disk` must be greater than 0/,
  },
  {
    name: "unknown disk unit",
    yaml: "disk: 10XB\n",
    path: "disk",
    message: /field `disk` has an invalid value/,
  },
  {
    name: "unknown arch",
    yaml: "arch: sparc\n",
    path: "arch",
    message:
      /field `arch` must be one of \[x86_64 aarch64 armv7l ppc64le riscv64 s390x\]; got `sparc`/,
  },
  {
    name: "unknown os",
    yaml: "os: Plan9\n",
    path: "os",
    message: /field `os` must be one of .*`Linux`.*got `Plan9`/,
  },
  {
    name: "unknown vmType",
    yaml: "vmType: firecracker\n",
    path: "vmType",
    message: /vmType "firecracker" is not a registered driver/,
  },
  {
    name: "literal default vmType",
    yaml: "vmType: default\n",
    path: "vmType",
    message: /vmType "default" is not a registered driver/,
  },
  {
    name: "unknown mountType",
    yaml: "mountType: nfs\n",
    path: "mountType",
    message: /field `mountType` must be `reverse-sshfs` or `9p`.*got `nfs`/,
  },
  {
    name: "mountType listed as unsupported",
    yaml: "mountType: 9p\nmountTypesUnsupported: [9p]\n",
    path: "mountType",
    message: /mount type "9p" is explicitly unsupported/,
  },
  {
    name: "relative mount location",
    yaml: "mounts: [{location: relative/dir, mountPoint: /mnt/x}]\n",
    path: "mounts[0].location",
    message:
      /field `mounts\[0\]\.location` must be an absolute path, got `relative\/dir`/,
  },
  {
    name: "mount location is a file",
    yaml: `mounts: [{location: ${JSON.stringify(aFile)}}]\n`,
    path: "mounts[0].location",
    message: /field `mounts\[0\]\.location` refers to a non-directory path/,
  },
  ...["/etc", "/", "/usr/", "/home", "/tmp", "/var"].map((
    mountPoint,
  ): Case => ({
    name: `forbidden mount point ${mountPoint}`,
    yaml: `mounts: [{location: ${JSON.stringify(tmp)}, mountPoint: ${
      JSON.stringify(mountPoint)
    }}]\n`,
    path: "mounts[0].mountPoint",
    message: /field `mounts\[0\]\.mountPoint` must not be a system path/,
  })),
  {
    name: "mount point on the guest home",
    yaml: `mounts: [{location: ${
      JSON.stringify(tmp)
    }, mountPoint: /home/alice.guest}]\n`,
    path: "mounts[0].mountPoint",
    message:
      /field `mounts\[0\]\.mountPoint` is the reserved internal home directory `\/home\/alice\.guest`/,
  },
  {
    name: "mount point starting with ~",
    yaml: `mounts: [{location: ${
      JSON.stringify(tmp)
    }, mountPoint: "~/data"}]\n`,
    path: "mounts[0].mountPoint",
    message: /field `mounts\[0\]\.mountPoint` must not start with `~`/,
  },
  {
    name: "relative mount point",
    yaml: `mounts: [{location: ${JSON.stringify(tmp)}, mountPoint: data}]\n`,
    path: "mounts[0].mountPoint",
    message: /field `mounts\[0\]\.mountPoint` must be an absolute path/,
  },
  {
    name: "duplicate mount points",
    yaml: `mounts: [{location: ${JSON.stringify(tmp)}, mountPoint: /mnt/a}]\n`,
    edit: (y) => y.mounts!.push({ ...y.mounts![0] }),
    path: "mounts[1].mountPoint",
    message:
      /field `mounts\[1\]\.mountPoint` value `\/mnt\/a` has already been used by field `mounts\[0\]\.mountPoint`/,
  },
  {
    name: "garbage 9p msize",
    yaml: `mounts: [{location: ${JSON.stringify(tmp)}, 9p: {msize: huge}}]\n`,
    path: "mounts[0].9p.msize",
    message: /field `msize` has an invalid value/,
  },
  {
    name: "unknown 9p security model",
    yaml: `mounts: [{location: ${
      JSON.stringify(tmp)
    }, 9p: {securityModel: strict}}]\n`,
    path: "mounts[0].9p.securityModel",
    message:
      /field `mounts\[0\]\.9p\.securityModel` must be one of `passthrough`.*got `strict`/,
  },
  {
    name: "unknown 9p cache",
    yaml: `mounts: [{location: ${JSON.stringify(tmp)}, 9p: {cache: always}}]\n`,
    path: "mounts[0].9p.cache",
    message: /field `mounts\[0\]\.9p\.cache` must be one of/,
  },
  {
    name: "unknown sftp driver",
    yaml: `mounts: [{location: ${
      JSON.stringify(tmp)
    }, sshfs: {sftpDriver: ftp}}]\n`,
    path: "mounts[0].sshfs.sftpDriver",
    message:
      /field `mounts\[0\]\.sshfs\.sftpDriver` must be "", "builtin" or "openssh-sftp-server"/,
  },
  {
    name: "zero virtiofs queue size",
    yaml: `mounts: [{location: ${
      JSON.stringify(tmp)
    }, virtiofs: {queueSize: 0}}]\n`,
    path: "mounts[0].virtiofs.queueSize",
    message:
      /field `mounts\[0\]\.virtiofs\.queueSize` must be a positive integer/,
  },
  {
    name: "guest port above 65535",
    yaml: "portForwards: [{guestPort: 70000}]\n",
    path: "portForwards[0].guestPort",
    message: /field `portForwards\[0\]\.guestPort` must be < 65536/,
  },
  {
    name: "negative guest port",
    yaml: "portForwards: [{guestPort: -1}]\n",
    path: "portForwards[0].guestPort",
    message: /field `portForwards\[0\]\.guestPort` must be > 0/,
  },
  {
    name: "host port 22",
    yaml: "portForwards: [{guestPort: 8022, hostPort: 22}]\n",
    path: "portForwards[0].hostPort",
    message: /field `portForwards\[0\]\.hostPort` must not be 22/,
  },
  {
    name: "unordered guest port range",
    yaml: "portForwards: [{guestPortRange: [100, 50]}]\n",
    path: "portForwards[0].guestPortRange",
    message:
      /field `portForwards\[0\]\.guestPortRange\[1\]` must be greater than or equal to field `portForwards\[0\]\.guestPortRange\[0\]`/,
  },
  {
    name: "port range sizes differ",
    yaml:
      "portForwards: [{guestPortRange: [1000, 1010], hostPortRange: [2000, 2005]}]\n",
    path: "portForwards[0].hostPortRange",
    message:
      /field `portForwards\[0\]\.hostPortRange` must specify the same number of ports as field `portForwards\[0\]\.guestPortRange`/,
  },
  {
    name: "guestPort disagrees with its range",
    yaml: "portForwards: [{guestPort: 80, guestPortRange: [81, 81]}]\n",
    path: "portForwards[0].guestPort",
    message:
      /field `portForwards\[0\]\.guestPort` must match field `portForwards\[0\]\.guestPortRange\[0\]`/,
  },
  {
    name: "unknown proto",
    yaml: "portForwards: [{guestPort: 80, proto: sctp}]\n",
    path: "portForwards[0].proto",
    message:
      /field `portForwards\[0\]\.proto` must be `tcp`, `udp`, or `any`, got `sctp`/,
  },
  {
    name: "guestIPMustBeZero with a specific IP",
    yaml:
      "portForwards: [{guestPort: 80, guestIP: 127.0.0.1, guestIPMustBeZero: true}]\n",
    path: "portForwards[0].guestIPMustBeZero",
    message:
      /can only be true when field `portForwards\[0\]\.guestIP` is 0\.0\.0\.0/,
  },
  {
    name: "guestIP that is not an IP",
    yaml: "portForwards: [{guestPort: 80, guestIP: localhost}]\n",
    path: "portForwards[0].guestIP",
    message:
      /field `portForwards\[0\]\.guestIP` must be an IP address, got `localhost`/,
  },
  {
    name: "relative guest socket",
    yaml: "portForwards: [{guestSocket: run/x.sock, hostSocket: x.sock}]\n",
    path: "portForwards[0].guestSocket",
    message:
      /field `portForwards\[0\]\.guestSocket` must be an absolute path, but is `run\/x\.sock`/,
  },
  {
    name: "guest socket with a guest port",
    yaml: "portForwards: [{guestSocket: /run/x.sock, guestPort: 80}]\n",
    path: "portForwards[0].guestPort",
    message:
      /field `portForwards\[0\]\.guestPort` must be 0 when field `portForwards\[0\]\.guestSocket` is set/,
  },
  {
    name: "reverse without sockets",
    yaml: "portForwards: [{guestPort: 80, reverse: true}]\n",
    path: "portForwards[0].reverse",
    message: /field `portForwards\[0\]\.reverse` must be false unless both/,
  },
  {
    name: "host socket longer than UNIX_PATH_MAX",
    yaml: `portForwards: [{guestSocket: /run/x.sock, hostSocket: /${
      "s".repeat(120)
    }}]\n`,
    path: "portForwards[0].hostSocket",
    message:
      /field `portForwards\[0\]\.hostSocket` must be less than UNIX_PATH_MAX=\d+ characters, but is 121/,
  },
  {
    name: "network with nothing set",
    yaml: "networks: [{metric: 10}]\n",
    path: "networks[0]",
    message:
      /field `networks\[0\]\.lima`, field `networks\[0\]\.socket` or field `networks\[0\]\.vzNAT` must be set/,
  },
  {
    name: "network lima and socket together",
    yaml: "networks: [{lima: shared, socket: /var/run/socket_vmnet}]\n",
    path: "networks[0].lima",
    message:
      /field `networks\[0\]\.lima` and field `networks\[0\]\.socket` are mutually exclusive/,
  },
  {
    name: "vzNAT under qemu",
    yaml: "vmType: qemu\nnetworks: [{vzNAT: true}]\n",
    path: "networks[0].vzNAT",
    message: /field `networks\[0\]\.vzNAT` requires `vmType: vz`/,
  },
  {
    name: "malformed MAC address",
    yaml: "networks: [{lima: shared, macAddress: 'zz:zz'}]\n",
    path: "networks[0].macAddress",
    message: /field `networks\[0\]\.macAddress` must be a MAC address/,
  },
  {
    name: "MAC address of 8 bytes",
    yaml: "networks: [{lima: shared, macAddress: '52:55:55:00:00:00:00:01'}]\n",
    path: "networks[0].macAddress",
    message:
      /must be a 48 bit \(6 bytes\) MAC address; actual length of `52:55:55:00:00:00:00:01` is 8 bytes/,
  },
  {
    name: "interface eth0",
    yaml: "networks: [{lima: shared, interface: eth0}]\n",
    path: "networks[0].interface",
    message:
      /field `networks\[0\]\.interface` must not be set to `eth0` because it is reserved for slirp/,
  },
  {
    name: "interface with whitespace",
    yaml: "networks: [{lima: shared, interface: 'my nic'}]\n",
    path: "networks[0].interface",
    message:
      /field `networks\[0\]\.interface` must not contain whitespace or slashes/,
  },
  {
    name: "interface of 16 bytes",
    yaml: "networks: [{lima: shared, interface: abcdefghijklmnop}]\n",
    path: "networks[0].interface",
    message:
      /field `networks\[0\]\.interface` must be less than 16 bytes, but is 16 bytes/,
  },
  {
    name: "duplicate interface",
    yaml: "networks: [{lima: shared, interface: lima9}]\n",
    edit: (y) =>
      y.networks!.push({ ...y.networks![0], macAddress: "52:55:55:00:00:01" }),
    path: "networks[1].interface",
    message:
      /field `networks\[1\]\.interface` value `lima9` has already been used by field `networks\[0\]\.interface`/,
  },
  {
    name: "dns while the host resolver is on",
    yaml: "dns: [1.1.1.1]\n",
    path: "dns",
    message:
      /field `dns` must be empty when field `HostResolver\.Enabled` is true/,
  },
  {
    name: "dns entry that is not an IP",
    yaml: "hostResolver: {enabled: false}\ndns: [one.one.one.one]\n",
    path: "dns[0]",
    message: /field `dns\[0\]` must be an IP address, got `one\.one\.one\.one`/,
  },
  {
    name: "unknown provision mode",
    yaml: "provision: [{mode: later, script: 'echo'}]\n",
    path: "provision[0].mode",
    message:
      /field `provision\[0\]\.mode` must be one of `system`, `user`, `boot`, `dependency`, `ansible`, `data`, `yq`, got `later`/,
  },
  {
    name: "content on a system script",
    yaml: "provision: [{mode: system, script: 'echo', content: 'x'}]\n",
    path: "provision[0].content",
    message:
      /field `provision\[0\]\.content` can only be set when mode is "data"/,
  },
  {
    name: "expression on a data file",
    yaml:
      "provision: [{mode: data, path: /etc/x, content: x, expression: .a}]\n",
    path: "provision[0].expression",
    message:
      /field `provision\[0\]\.expression` can only be set when mode is "yq"/,
  },
  {
    name: "skipDefaultDependencyResolution on a user script",
    yaml:
      "provision: [{mode: user, script: 'echo', skipDefaultDependencyResolution: true}]\n",
    path: "provision[0].skipDefaultDependencyResolution",
    message: /can only be set when mode is "dependency"/,
  },
  {
    name: "empty system script",
    yaml: "provision: [{mode: system}]\n",
    path: "provision[0].script",
    message: /field `provision\[0\]\.script` must not be empty/,
  },
  {
    name: "data without path",
    yaml: "provision: [{mode: data, content: x}]\n",
    path: "provision[0].path",
    message:
      /field `provision\[0\]\.path` must not be empty when mode is "data"/,
  },
  {
    name: "data with a relative path",
    yaml: "provision: [{mode: data, path: etc/x, content: x}]\n",
    path: "provision[0].path",
    message: /field `provision\[0\]\.path` must be an absolute path/,
  },
  {
    name: "yq without expression",
    yaml: "provision: [{mode: yq, path: /etc/x.yaml}]\n",
    path: "provision[0].expression",
    message:
      /field `provision\[0\]\.expression` must not be empty when mode is "yq"/,
  },
  {
    name: "non-octal permissions",
    yaml:
      "provision: [{mode: data, path: /etc/x, content: x, permissions: rwx}]\n",
    path: "provision[0].permissions",
    message:
      /field `provision\[0\]\.permissions` must be an octal number, got `rwx`/,
  },
  {
    name: "provision file not embedded",
    yaml: "provision: [{mode: system, file: https://example.com/x.sh}]\n",
    path: "provision[0].file.url",
    message:
      /field `provision\[0\]\.file\.url` must be empty during validation \(script should already be embedded\)/,
  },
  {
    name: "provision file digest",
    yaml:
      "provision: [{mode: system, script: echo, file: {url: '', digest: 'sha256:00'}}]\n",
    path: "provision[0].file.digest",
    message:
      /field `provision\[0\]\.file\.digest` support is not yet implemented/,
  },
  {
    name: "probe script without #!",
    yaml: "probes: [{script: 'test -e /x'}]\n",
    path: "probes[0].script",
    message: /field `probes\[0\]\.script` must start with a '#!' line/,
  },
  {
    name: "probe mode other than readiness",
    yaml: "probes: [{mode: liveness, script: '#!/bin/sh'}]\n",
    path: "probes[0].mode",
    message:
      /field `probes\[0\]\.mode` can only be `readiness`, got `liveness`/,
  },
  {
    name: "disk name that is not an identifier",
    yaml: "additionalDisks: ['bad name!']\n",
    path: "additionalDisks[0].name",
    message:
      /field `additionalDisks\[0\]\.name` is invalid: identifier `bad name!` must match/,
  },
  {
    name: "duplicate additional disk",
    yaml: "additionalDisks: [data, {name: data, fsType: xfs}]\n",
    path: "additionalDisks[1].name",
    message:
      /field `additionalDisks\[1\]\.name` value `data` has already been used by field `additionalDisks\[0\]\.name`/,
  },
  {
    name: "ssh.localPort 22",
    yaml: "ssh: {localPort: 22}\n",
    path: "ssh.localPort",
    message: /field `ssh\.localPort` must not be 22/,
  },
  {
    name: "ssh.localPort above 65535",
    yaml: "ssh: {localPort: 65536}\n",
    path: "ssh.localPort",
    message: /field `ssh\.localPort` must be < 65536/,
  },
  {
    name: "param name starting with a digit",
    yaml: "param: {1abc: x}\nprovision: [{script: 'echo {{.Param.1abc}}'}]\n",
    path: "param",
    message:
      /param `1abc` name does not match regex `\^\[a-zA-Z\]\[a-zA-Z0-9_\]\*\$`/,
  },
  {
    name: "param value with a control character",
    yaml: 'param: {Key: "a\\u0007b"}\n',
    path: "param",
    message: /param `Key` value contains unprintable character "\\u0007"/,
  },
  {
    name: "minimumLimaVersion newer than this tool",
    yaml: "minimumLimaVersion: 99.0.0\n",
    path: "minimumLimaVersion",
    message:
      /template requires Lima version `99\.0\.0`; this is only `\d+\.\d+\.\d+`/,
  },
  {
    name: "minimumLimaVersion that is not semver",
    yaml: "minimumLimaVersion: banana\n",
    path: "minimumLimaVersion",
    message: /field `minimumLimaVersion` must be a semver value.*got `banana`/,
  },
  {
    name: "relative shell",
    yaml: "user: {shell: bash}\n",
    path: "user.shell",
    message: /field `user\.shell` must be an absolute path, got `bash`/,
  },
  {
    name: "Windows guest under vz",
    yaml: "os: Windows\nvmType: vz\n",
    path: "vmType",
    message: /currently Windows guest is only supported on `qemu`; got `vz`/,
  },
  {
    name: "Windows guest with a POSIX shell",
    yaml: "os: Windows\nvmType: qemu\nuser: {shell: /bin/bash}\n",
    path: "user.shell",
    message:
      /field `user\.shell` must be one of \[cmd\.exe powershell\.exe pwsh\.exe\] for Windows guest/,
  },
  {
    name: "passwordlessSudo false without plain",
    yaml: "user: {passwordlessSudo: false}\n",
    path: "user.passwordlessSudo",
    message: /`user\.passwordlessSudo: false` requires `plain: true`/,
  },
  {
    name: "tpm on s390x",
    yaml: "arch: s390x\ntpm: true\n",
    path: "tpm",
    message: /field `tpm` is not supported on architecture `s390x`/,
  },
  {
    name: "unknown audio interface",
    yaml: "audio: {interface: ac97}\n",
    path: "audio.interface",
    message: /invalid audio\.interface "ac97", must be "hda" or "virtio"/,
  },
  {
    name: "relative copyToHost guest path",
    yaml: "copyToHost: [{guest: etc/x, host: /tmp/x}]\n",
    path: "CopyToHost[0].guest",
    message:
      /field `CopyToHost\[0\]\.guest` must be an absolute path, but is `etc\/x`/,
  },
  {
    name: "image digest of the wrong length",
    yaml:
      "images: [{location: 'https://example.com/a.img', digest: 'sha256:abc'}]\n",
    noImage: true,
    path: "images[0].digest",
    message:
      /field `images\[0\]\.digest` is invalid: sha256:abc: invalid checksum digest length/,
  },
  {
    name: "image digest with an unknown algorithm",
    yaml:
      "images: [{location: 'https://example.com/a.img', digest: 'md5:abc'}]\n",
    noImage: true,
    path: "images[0].digest",
    message: /unsupported digest algorithm/,
  },
  {
    name: "image with an unknown arch",
    yaml: "images: [{location: 'https://example.com/a.img', arch: arm64}]\n",
    noImage: true,
    path: "images[0].arch",
    message: /field `images\[0\]\.arch` must be one of \[x86_64 .*got `arm64`/,
  },
  {
    name: "kernel for another arch than its image",
    yaml:
      "images: [{location: 'https://example.com/a.img', kernel: {location: /k, arch: aarch64}}]\n",
    noImage: true,
    path: "images[0].kernel.arch",
    message:
      /images\[0\]\.kernel has unexpected architecture `aarch64`, must be `x86_64`/,
  },
  {
    name: "containerd enabled without archives",
    yaml: "containerd: {user: true}\n",
    edit: (y) => {
      y.containerd!.archives = [];
    },
    path: "containerd.archives",
    message: /field `containerd\.archives` must be provided/,
  },
  {
    name: "base left after embedding",
    yaml: "base: template:ubuntu\n",
    path: "base",
    message: /field `base` must be empty for YAML validation/,
  },
  {
    name: "timezone that is not a zone name",
    yaml: "timezone: 'Mars Standard Time!'\n",
    path: "timezone",
    message: /field `timezone` must be a zone name/,
  },
  {
    name: "unknown vz disk image format",
    yaml: "vmOpts: {vz: {diskImageFormat: qcow2}}\n",
    path: "vmOpts.vz.diskImageFormat",
    message:
      /field `vmOpts\.vz\.diskImageFormat` must be "raw" or "asif", got `qcow2`/,
  },
];

for (const c of cases) {
  Deno.test(`validation rejects ${c.name}`, () => {
    const y = filled(c.yaml ?? "", !c.noImage);
    c.edit?.(y);
    const found = problems(y);
    const match = found.find((p) =>
      p.path === c.path && c.message.test(p.message)
    );
    assert.ok(
      match,
      `expected a problem at ${c.path} matching ${c.message}, got ${
        JSON.stringify(found, null, 1)
      }`,
    );
  });
}

Deno.test("validation warns about a missing mount directory instead of failing", () => {
  const warnings: string[] = [];
  const y = filled(
    `mounts: [{location: ${JSON.stringify(join(tmp, "absent"))}}]\n`,
  );
  assert.deepEqual(
    limaYAMLProblems(y, {
      drivers,
      warn: (m) => warnings.push(m),
      hostOS: "linux",
    }),
    [],
  );
  assert.ok(
    warnings.some((w) =>
      /field `mounts\[0\]\.location` refers to a non-existent directory/.test(w)
    ),
  );
});

Deno.test("validation accepts every vmType the caller registers", () => {
  const y = filled("vmType: krunkit\n");
  assert.ok(problems(y).some((p) => p.path === "vmType"));
  assert.deepEqual(
    limaYAMLProblems(y, {
      drivers: { qemu: {}, krunkit: {} },
      warn: () => {},
      hostOS: "linux",
    }),
    [],
  );
});

Deno.test("validation checks network names against networks.yaml when given", () => {
  const y = filled(
    "networks: [{lima: nowhere}, {lima: shared}, {lima: user-v2}]\n",
  );
  const found = limaYAMLProblems(y, {
    drivers,
    warn: () => {},
    hostOS: "linux",
    networkModes: { shared: "shared", "user-v2": "user-v2" },
  });
  assert.deepEqual(found.map((p) => p.path), [
    "networks[0].lima",
    "networks[1].lima",
  ]);
  assert.match(
    found[0].message,
    /references network `nowhere` which is not defined in networks\.yaml/,
  );
  assert.match(found[1].message, /is only supported on macOS right now/);
});
