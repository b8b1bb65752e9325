import assert from "node:assert/strict";
import { LimaError } from "../errors.ts";
import { seed, seedText } from "./_test_config.ts";
import type { SeedOptions } from "./seed.ts";
import { vzValidation } from "../../drivers/vz/validation.ts";

function limaEnv(
  text: string,
  extra: Partial<SeedOptions> = {},
): Map<string, string> {
  const lines = seedText(seed(text, extra), "lima.env").split("\n");
  assert.equal(lines.pop(), "", "lima.env ends with a newline");
  const env = new Map<string, string>();
  for (const line of lines) {
    const at = line.indexOf("=");
    assert.ok(at > 0, `not a KEY=value line: ${line}`);
    assert.ok(!env.has(line.slice(0, at)), `duplicate key in ${line}`);
    env.set(line.slice(0, at), line.slice(at + 1));
  }
  return env;
}

Deno.test("lima.env describes the instance, its user and the user-mode network", () => {
  const env = limaEnv("", { debug: true });
  const expected: Record<string, string> = {
    LIMA_CIDATA_DEBUG: "1",
    LIMA_CIDATA_IID: "iid-1700000000",
    LIMA_CIDATA_NAME: "dev",
    LIMA_CIDATA_USER: "alice",
    LIMA_CIDATA_UID: "501",
    LIMA_CIDATA_COMMENT: "Alice Liddell",
    LIMA_CIDATA_HOME: "/home/alice.guest",
    LIMA_CIDATA_SHELL: "/bin/bash",
    LIMA_CIDATA_HOSTHOME_MOUNTPOINT: "",
    LIMA_CIDATA_MOUNTS: "0",
    LIMA_CIDATA_MOUNTTYPE: "9p",
    LIMA_CIDATA_DISKS: "0",
    LIMA_CIDATA_GUEST_INSTALL_PREFIX: "/usr/local",
    LIMA_CIDATA_UPGRADE_PACKAGES: "",
    LIMA_CIDATA_CONTAINERD_USER: "1",
    LIMA_CIDATA_CONTAINERD_SYSTEM: "",
    LIMA_CIDATA_SLIRP_DNS: "192.168.5.3",
    LIMA_CIDATA_SLIRP_GATEWAY: "192.168.5.2",
    LIMA_CIDATA_SLIRP_IP_ADDRESS: "192.168.5.15",
    LIMA_CIDATA_UDP_DNS_LOCAL_PORT: "0",
    LIMA_CIDATA_TCP_DNS_LOCAL_PORT: "0",
    LIMA_CIDATA_ROSETTA_ENABLED: "false",
    LIMA_CIDATA_ROSETTA_BINFMT: "false",
    LIMA_CIDATA_SKIP_DEFAULT_DEPENDENCY_RESOLUTION: "",
    LIMA_CIDATA_VMTYPE: "qemu",
    LIMA_CIDATA_VSOCK_PORT: "0",
    LIMA_CIDATA_VIRTIO_PORT: "",
    LIMA_CIDATA_PLAIN: "",
    LIMA_CIDATA_NO_CLOUD_INIT: "",
    LIMA_CIDATA_PASSWORDLESS_SUDO: "1",
  };
  assert.deepEqual(Object.fromEntries(env), expected);
});

Deno.test("lima.env lists every mount point and the one of the host home", () => {
  const env = limaEnv(
    "mountType: reverse-sshfs\nmounts: [{location: '~'}, {location: /tmp/lima, mountPoint: /mnt/tmp, writable: true}]\n",
  );
  assert.equal(env.get("LIMA_CIDATA_MOUNTTYPE"), "reverse-sshfs");
  assert.equal(env.get("LIMA_CIDATA_MOUNTS"), "2");
  assert.equal(env.get("LIMA_CIDATA_MOUNTS_0_MOUNTPOINT"), "/home/alice");
  assert.equal(env.get("LIMA_CIDATA_MOUNTS_1_MOUNTPOINT"), "/mnt/tmp");
  assert.equal(env.get("LIMA_CIDATA_HOSTHOME_MOUNTPOINT"), "/home/alice");
});

Deno.test("lima.env describes additional disks with their guest devices", () => {
  const env = limaEnv(
    "additionalDisks: [data, {name: scratch, format: false, fsType: xfs, fsArgs: [-m, 'crc=1']}]\n",
  );
  assert.equal(env.get("LIMA_CIDATA_DISKS"), "2");
  assert.deepEqual(
    ["NAME", "DEVICE", "FORMAT", "FSTYPE", "FSARGS"].map((k) =>
      env.get(`LIMA_CIDATA_DISK_0_${k}`)
    ),
    ["data", "vdb", "true", "ext4", ""],
  );
  assert.deepEqual(
    ["NAME", "DEVICE", "FORMAT", "FSTYPE", "FSARGS"].map((k) =>
      env.get(`LIMA_CIDATA_DISK_1_${k}`)
    ),
    ["scratch", "vdc", "false", "xfs", "-m crc=1"],
  );
});

Deno.test("lima.env describes data and yq provisions by their index in the provision list", () => {
  const env = limaEnv(
    [
      "provision:",
      "- script: echo one",
      "- mode: data",
      "  path: /etc/motd",
      "  content: hello",
      "  overwrite: false",
      "  owner: '{{.User}}'",
      "  permissions: '600'",
      "- mode: yq",
      "  path: /etc/app.json",
      "  expression: .a = 1",
      "  format: json",
    ].join("\n") + "\n",
  );
  assert.equal(env.get("LIMA_CIDATA_DATAFILE_00000001_OVERWRITE"), "false");
  assert.equal(env.get("LIMA_CIDATA_DATAFILE_00000001_OWNER"), "alice");
  assert.equal(env.get("LIMA_CIDATA_DATAFILE_00000001_PATH"), "/etc/motd");
  assert.equal(env.get("LIMA_CIDATA_DATAFILE_00000001_PERMISSIONS"), "600");
  assert.equal(env.get("LIMA_CIDATA_YQ_PROVISION_00000002_FORMAT"), "json");
  assert.equal(env.get("LIMA_CIDATA_YQ_PROVISION_00000002_OWNER"), "root:root");
  assert.equal(
    env.get("LIMA_CIDATA_YQ_PROVISION_00000002_PATH"),
    "/etc/app.json",
  );
  assert.equal(env.get("LIMA_CIDATA_YQ_PROVISION_00000002_PERMISSIONS"), "644");
  assert.ok(
    ![...env.keys()].some((k) => k.includes("00000000")),
    "the system script has no lima.env entries",
  );
});

Deno.test("lima.env carries the driver's and host agent's settings", () => {
  const env = limaEnv(
    "vmType: vz\nupgradePackages: true\ncontainerd: {system: true, user: false}\n",
    {
      udpDNSLocalPort: 5353,
      tcpDNSLocalPort: 5354,
      vsockPort: 2222,
      virtioPort: "io.lima-vm.guest_agent.0",
      rosetta: { enabled: true, binfmt: true },
      noCloudInit: true,
      dnsAtGateway: vzValidation.dnsAtGateway,
      nerdctlArchive: "/dev/null",
    },
  );
  assert.equal(env.get("LIMA_CIDATA_VMTYPE"), "vz");
  assert.equal(
    env.get("LIMA_CIDATA_SLIRP_DNS"),
    "192.168.5.2",
    "vz's gateway answers DNS",
  );
  assert.equal(env.get("LIMA_CIDATA_UPGRADE_PACKAGES"), "1");
  assert.equal(env.get("LIMA_CIDATA_CONTAINERD_SYSTEM"), "1");
  assert.equal(env.get("LIMA_CIDATA_CONTAINERD_USER"), "");
  assert.equal(env.get("LIMA_CIDATA_CONTAINERD_ARCHIVE"), "nerdctl-full.tgz");
  assert.equal(env.get("LIMA_CIDATA_UDP_DNS_LOCAL_PORT"), "5353");
  assert.equal(env.get("LIMA_CIDATA_TCP_DNS_LOCAL_PORT"), "5354");
  assert.equal(env.get("LIMA_CIDATA_VSOCK_PORT"), "2222");
  assert.equal(env.get("LIMA_CIDATA_VIRTIO_PORT"), "io.lima-vm.guest_agent.0");
  assert.equal(env.get("LIMA_CIDATA_ROSETTA_ENABLED"), "true");
  assert.equal(env.get("LIMA_CIDATA_ROSETTA_BINFMT"), "true");
  assert.equal(env.get("LIMA_CIDATA_NO_CLOUD_INIT"), "1");
});

Deno.test("lima.env flags plain mode, password sudo and skipped dependency resolution", () => {
  const env = limaEnv(
    "plain: true\nuser: {passwordlessSudo: false}\nprovision: [{mode: dependency, script: 'true', skipDefaultDependencyResolution: true}]\n",
  );
  assert.equal(env.get("LIMA_CIDATA_PLAIN"), "1");
  assert.equal(env.get("LIMA_CIDATA_PASSWORDLESS_SUDO"), "");
  assert.equal(env.get("LIMA_CIDATA_SKIP_DEFAULT_DEPENDENCY_RESOLUTION"), "1");
  assert.equal(
    env.get("LIMA_CIDATA_CONTAINERD_USER"),
    "",
    "plain mode turns containerd off",
  );
});

Deno.test("lima.env refuses a value that would spill onto another line", () => {
  assert.throws(
    () => limaEnv('user: {comment: "two\\nlines"}\n'),
    (err: unknown) =>
      err instanceof LimaError && /LIMA_CIDATA_COMMENT/.test(err.message) &&
      /line break/.test(err.message),
  );
});
