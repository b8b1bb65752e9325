import assert from "node:assert/strict";
import {
  DEFAULT_CONTAINERD_ARCHIVES,
  fillDefaults,
  type FillOptions,
  guestHostname,
} from "./fill.ts";
import { macAddress } from "./identity.ts";
import type { HostInfo } from "./host.ts";
import { parseLimaYAML } from "./parse.ts";
import type { LimaYAML } from "./schema.ts";
import { builtinDefaultVMType } from "../../drivers/default_vm_type.ts";

const host: HostInfo = {
  arch: "x86_64",
  os: "linux",
  cpus: 8,
  memory: 16 * 1024 ** 3,
  user: {
    name: "alice",
    uid: 501,
    comment: "Alice Liddell",
    home: "/home/alice",
  },
  timezone: "Europe/Berlin",
};
const INST = "/lima/home/dev";

const yaml = (text: string): LimaYAML =>
  parseLimaYAML(text, { file: "test.yaml" });

function fill(
  y: string,
  options: Partial<FillOptions> & { d?: string; o?: string } = {},
) {
  const warnings: string[] = [];
  const result = fillDefaults(yaml(y), {
    instDir: INST,
    name: "dev",
    host,
    machineID: "machine",
    warn: (m) => warnings.push(m),
    defaultVMType: builtinDefaultVMType,
    ...options,
    defaults: options.d === undefined ? options.defaults : yaml(options.d),
    overrides: options.o === undefined ? options.overrides : yaml(options.o),
  });
  return Object.assign(result, { warnings });
}

Deno.test("builtin defaults of an empty config", () => {
  const y = fill("");
  assert.equal(y.os, "Linux");
  assert.equal(y.arch, "x86_64");
  assert.equal(y.vmType, "qemu");
  assert.equal(y.cpus, 4);
  assert.equal(y.memory, "4GiB");
  assert.equal(y.disk, "100GiB");
  assert.equal(y.timezone, "Europe/Berlin");
  assert.equal(y.guestInstallPrefix, "/usr/local");
  assert.equal(y.video?.display, "none");
  assert.deepEqual(y.audio, { device: "", interface: "" });
  assert.deepEqual(y.ssh, {
    localPort: 0,
    loadDotSSHPubKeys: false,
    forwardAgent: false,
    forwardX11: false,
    forwardX11Trusted: false,
    overVsock: undefined,
  });
  assert.deepEqual(y.hostResolver, { enabled: true, ipv6: false, hosts: {} });
  assert.equal(y.propagateProxyEnv, true);
  assert.equal(y.plain, false);
  assert.equal(y.containerd?.system, false);
  assert.equal(y.containerd?.user, true);
  assert.deepEqual(y.containerd?.archives, DEFAULT_CONTAINERD_ARCHIVES);
  assert.deepEqual(y.user, {
    name: "alice",
    comment: "Alice Liddell",
    home: "/home/alice.guest",
    shell: "/bin/bash",
    uid: 501,
    passwordlessSudo: true,
  });
  assert.deepEqual(y.mounts, []);
  assert.deepEqual(y.env, {});
  assert.equal(y.mountType, undefined, "the driver resolves the mount type");
});

Deno.test("the input config is not modified", () => {
  const input = yaml(
    "mounts: [{location: '~'}]\nportForwards: [{guestPort: 80}]\n",
  );
  const before = structuredClone(input);
  fillDefaults(input, {
    instDir: INST,
    name: "dev",
    host,
    machineID: "m",
    warn: () => {},
    defaultVMType: builtinDefaultVMType,
  });
  assert.deepEqual(input, before);
});

Deno.test("cpus and memory come from the host when it is small", () => {
  const small = { ...host, cpus: 2, memory: 3 * 1024 ** 3 };
  const y = fill("", { host: small });
  assert.equal(y.cpus, 2);
  assert.equal(y.memory, "1.5GiB");
  assert.equal(fill("cpus: 0\nmemory: ''\n").cpus, 4, "0 means unset");
});

Deno.test("arch default and non-native arch choose qemu", () => {
  assert.equal(fill("arch: default\n").arch, "x86_64");
  const y = fill("arch: aarch64\n", {
    host: { ...host, os: "darwin", arch: "aarch64" },
  });
  assert.equal(y.vmType, "vz");
  assert.equal(
    fill("arch: x86_64\n", { host: { ...host, os: "darwin", arch: "aarch64" } })
      .vmType,
    "qemu",
  );
  assert.equal(fill("arch: riscv64\n").containerd?.user, false);
});

Deno.test("scalar rule: lima.yaml over default.yaml, override.yaml over both", () => {
  assert.equal(fill("cpus: 2\n", { d: "cpus: 3\n" }).cpus, 2);
  assert.equal(fill("", { d: "cpus: 3\n" }).cpus, 3);
  assert.equal(fill("cpus: 2\n", { d: "cpus: 3\n", o: "cpus: 1\n" }).cpus, 1);
  const nested = fill(
    "ssh: {forwardAgent: false}\nuser: {name: bob}\nvideo: {vnc: {display: ':1'}}\n",
    {
      d: "ssh: {forwardAgent: true, forwardX11: true}\nuser: {name: carol, shell: /bin/zsh}\n",
      o: "user: {name: dave}\nvideo: {vnc: {display: ':2'}}\n",
    },
  );
  assert.equal(nested.ssh?.forwardAgent, false);
  assert.equal(nested.ssh?.forwardX11, true);
  assert.equal(nested.user?.name, "dave");
  assert.equal(nested.user?.shell, "/bin/zsh");
  assert.equal(nested.video?.vnc?.display, ":2");
});

Deno.test("os is resolved first and drives user defaults", () => {
  const mac = fill("os: Darwin\n");
  assert.equal(mac.user?.home, "/Users/alice.guest");
  assert.equal(mac.user?.shell, "/bin/zsh");
  assert.equal(mac.user?.passwordlessSudo, false);
  assert.equal(fill("", { d: "os: FreeBSD\n" }).user?.shell, "/bin/sh");
  assert.equal(
    fill("os: Linux\n", { o: "os: Windows\n" }).user?.shell,
    "cmd.exe",
  );
  assert.equal(
    fill("os: FreeBSD\nprovision: [{mode: data, path: /x, content: y}]\n")
      .provision?.[0].owner,
    "root:wheel",
  );
});

Deno.test("list rule: o, then y, then d for first-match lists", () => {
  const y = fill(
    "portForwards: [{guestPort: 2}]\nimages: [{location: y}]\nprovision: [{script: y}]\nprobes: [{script: y}]\n" +
      "copyToHost: [{guest: /y, host: /y}]\nadditionalDisks: [y]\nmountTypesUnsupported: [y]\n" +
      "firmware: {images: [{location: y}]}\ncontainerd: {archives: [{location: y}]}\n",
    {
      d: "portForwards: [{guestPort: 3}]\nimages: [{location: d}]\nprovision: [{script: d}]\nprobes: [{script: d}]\n" +
        "copyToHost: [{guest: /d, host: /d}]\nadditionalDisks: [d]\nmountTypesUnsupported: [d]\n" +
        "firmware: {images: [{location: d}]}\ncontainerd: {archives: [{location: d}]}\n",
      o: "portForwards: [{guestPort: 1}]\nimages: [{location: o}]\nprovision: [{script: o}]\nprobes: [{script: o}]\n" +
        "copyToHost: [{guest: /o, host: /o}]\nadditionalDisks: [o]\nmountTypesUnsupported: [o]\n" +
        "firmware: {images: [{location: o}]}\ncontainerd: {archives: [{location: o}]}\n",
    },
  );
  assert.deepEqual(y.portForwards?.map((r) => r.guestPort), [1, 2, 3]);
  assert.deepEqual(y.images?.map((i) => i.location), ["o", "y", "d"]);
  assert.deepEqual(y.provision?.map((p) => p.script), ["o", "y", "d"]);
  assert.deepEqual(y.probes?.map((p) => p.script), ["o", "y", "d"]);
  assert.deepEqual(y.copyToHost?.map((c) => c.guest), ["/o", "/y", "/d"]);
  assert.deepEqual(
    y.additionalDisks?.map((d) => typeof d === "string" ? d : d.name),
    ["o", "y", "d"],
  );
  assert.deepEqual(y.mountTypesUnsupported, ["o", "y", "d"]);
  assert.deepEqual(y.firmware?.images?.map((f) => f.location), ["o", "y", "d"]);
  assert.deepEqual(y.containerd?.archives?.map((f) => f.location), [
    "o",
    "y",
    "d",
  ]);
});

Deno.test("images, kernels and archives inherit the instance arch", () => {
  const y = fill(
    "arch: aarch64\nimages: [{location: a, kernel: {location: k}, initrd: {location: i}}, {location: b, arch: x86_64, kernel: {location: k}}]\ncontainerd: {archives: [{location: c}]}\n",
  );
  assert.equal(y.images?.[0].arch, "aarch64");
  assert.equal(y.images?.[0].kernel?.arch, "aarch64");
  assert.equal(y.images?.[0].initrd?.arch, "aarch64");
  assert.equal(y.images?.[1].kernel?.arch, "x86_64");
  assert.equal(y.containerd?.archives?.[0].arch, "aarch64");
});

Deno.test("additional disks in string form become objects with defaults", () => {
  assert.deepEqual(
    fill("additionalDisks: [data, {name: logs, fsType: xfs}]\n")
      .additionalDisks,
    [
      { name: "data", format: true, fsType: "ext4", fsArgs: [] },
      { name: "logs", format: true, fsType: "xfs", fsArgs: [] },
    ],
  );
});

Deno.test("mounts: d, y, o order, merged by mount point, later values win", () => {
  const y = fill(
    "mounts: [{location: /data, writable: true, 9p: {cache: loose}}, {location: /y}]\n",
    {
      d: "mounts: [{location: '~'}, {location: /data}]\n",
      o: "mounts: [{location: /data, writable: false, sshfs: {cache: false}}, {location: /elsewhere, mountPoint: /y}]\n",
    },
  );
  assert.deepEqual(
    y.mounts?.map((m) => [m.location, m.mountPoint, m.writable]),
    [
      ["/home/alice", "/home/alice", false],
      ["/data", "/data", false],
      ["/y", "/y", false],
    ],
  );
  const data = y.mounts![1];
  assert.equal(data.sshfs?.cache, false);
  assert.equal(data["9p"]?.cache, "loose");
});

Deno.test("mount defaults depend on writability", () => {
  const [ro, rw] = fill(
    "mounts: [{location: /ro}, {location: /rw, writable: true}]\n",
  ).mounts!;
  assert.deepEqual(ro.sshfs, {
    cache: true,
    followSymlinks: false,
    sftpDriver: "",
  });
  assert.deepEqual(ro["9p"], {
    securityModel: "none",
    protocolVersion: "9p2000.L",
    msize: "128KiB",
    cache: "fscache",
  });
  assert.equal(rw["9p"]?.cache, "mmap");
});

Deno.test("mount locations are host templates, cleaned and ~-expanded; mount points are guest templates", () => {
  const [a, b] = fill(
    "mounts:\n- location: '{{.Dir}}/../shared/'\n- location: '~/src'\n  mountPoint: '{{.Home}}/src-{{.Name}}'\n",
  ).mounts!;
  assert.equal(a.location, "/lima/home/shared");
  assert.equal(a.mountPoint, "/lima/home/shared");
  assert.equal(b.location, "/home/alice/src");
  assert.equal(b.mountPoint, "/home/alice.guest/src-dev");
});

Deno.test("networks: d, y, o order, merged by interface, then numbered", () => {
  const y = fill(
    "networks: [{lima: shared, interface: eth1}, {socket: /run/y.sock}]\n",
    {
      d: "networks: [{lima: bridged, interface: eth1, metric: 50}]\n",
      o: "networks: [{socket: /run/o.sock, interface: eth1, macAddress: '52:55:55:aa:bb:cc'}, {vzNAT: true}]\n",
    },
  );
  assert.equal(y.networks?.length, 3);
  assert.deepEqual(y.networks?.[0], {
    lima: "",
    socket: "/run/o.sock",
    interface: "eth1",
    metric: 50,
    macAddress: "52:55:55:aa:bb:cc",
  });
  assert.equal(y.networks?.[1].interface, "lima1");
  assert.equal(y.networks?.[1].metric, 100);
  assert.equal(
    y.networks?.[1].macAddress,
    macAddress(`${INST}/lima.yaml#1`, "machine"),
  );
  assert.equal(y.networks?.[2].interface, "lima2");
  assert.notEqual(y.networks?.[1].macAddress, y.networks?.[2].macAddress);
});

Deno.test("macAddress is a stable locally administered MAC", () => {
  const mac = macAddress("x", "seed");
  assert.match(mac, /^52:55:55:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
  assert.equal(mac, macAddress("x", "seed"));
  assert.notEqual(mac, macAddress("y", "seed"));
});

Deno.test("dns is taken whole from the highest-priority file that has it", () => {
  assert.deepEqual(fill("dns: [1.1.1.1]\n", { d: "dns: [8.8.8.8]\n" }).dns, [
    "1.1.1.1",
  ]);
  assert.deepEqual(fill("", { d: "dns: [8.8.8.8]\n" }).dns, ["8.8.8.8"]);
  assert.deepEqual(
    fill("dns: [1.1.1.1]\n", { o: "dns: [9.9.9.9, 9.9.9.10]\n" }).dns,
    ["9.9.9.9", "9.9.9.10"],
  );
});

Deno.test("maps overlay d < y < o key by key", () => {
  const y = fill(
    "env: {A: y, B: y}\nparam: {P: y}\nhostResolver: {hosts: {h1: y}}\nvmOpts: {qemu: {minimumVersion: 8.0.0}}\n",
    {
      d: "env: {A: d, C: d}\nparam: {P: d, Q: d}\nhostResolver: {hosts: {h1: d, h2: d}}\nvmOpts: {vz: {diskImageFormat: raw}}\n",
      o: "env: {B: o}\nvmOpts: {qemu: {cpuType: {x86_64: host}}}\n",
    },
  );
  assert.deepEqual(y.env, { A: "y", B: "o", C: "d" });
  assert.deepEqual(y.param, { P: "y", Q: "d" });
  assert.deepEqual(y.hostResolver?.hosts, { h1: "y", h2: "d" });
  assert.deepEqual(
    y.vmOpts?.qemu,
    { cpuType: { x86_64: "host" } },
    "whole sub-trees are replaced per key",
  );
  assert.deepEqual(y.vmOpts?.vz, { diskImageFormat: "raw" });
});

Deno.test("caCerts lists are concatenated d, y, o without duplicates", () => {
  const y = fill("caCerts: {files: [/b, /a], certs: [Y]}\n", {
    d: "caCerts: {files: [/a], removeDefaults: true}\n",
    o: "caCerts: {files: [/c, /b], certs: [Y, O]}\n",
  });
  assert.deepEqual(y.caCerts, {
    removeDefaults: true,
    files: ["/a", "/b", "/c"],
    certs: ["Y", "O"],
  });
});

Deno.test("plain mode drops mounts and non-static forwards and disables containerd and timezone", () => {
  const y = fill(
    "plain: true\nmounts: [{location: /a}]\ncontainerd: {system: true, user: true}\nportForwards: [{guestPort: 80}, {guestPort: 443, static: true}]\n",
  );
  assert.deepEqual(y.mounts, []);
  assert.deepEqual(y.portForwards?.map((r) => r.guestPort), [443]);
  assert.equal(y.containerd?.system, false);
  assert.equal(y.containerd?.user, false);
  assert.equal(y.timezone, "");
  assert.equal(fill("", { o: "plain: true\n" }).plain, true);
});

Deno.test("port-forward defaults", () => {
  const [single, range, any, zero, sock] = fill(
    "portForwards:\n- guestPort: 80\n- guestPortRange: [4000, 4010]\n- {ignore: true}\n- {guestIPMustBeZero: true, guestPort: 8080, hostPort: 9090}\n" +
      "- {guestSocket: '/run/user/{{.UID}}/d.sock', hostSocket: 'd-{{.Name}}.sock'}\n",
  ).portForwards!;
  assert.deepEqual(single, {
    guestPort: 80,
    guestPortRange: [80, 80],
    hostPortRange: [80, 80],
    guestIP: "127.0.0.1",
    guestIPMustBeZero: false,
    hostIP: "127.0.0.1",
    proto: "any",
    reverse: false,
    ignore: false,
    static: false,
  });
  assert.deepEqual(range.hostPortRange, [4000, 4010]);
  assert.deepEqual(any.guestPortRange, [1, 65535]);
  assert.equal(zero.guestIP, "0.0.0.0");
  assert.deepEqual(zero.hostPortRange, [9090, 9090]);
  assert.equal(sock.guestSocket, "/run/user/501/d.sock");
  assert.equal(sock.hostSocket, `${INST}/sock/d-dev.sock`);
  assert.equal(sock.hostPortRange, undefined);
});

Deno.test("guest templates see the guest user, host templates the host user", () => {
  const y = fill(
    "user: {name: guest, uid: 2000, home: '/srv/{{.User}}'}\nparam: {Port: '8080'}\n" +
      "provision:\n- script: 'echo {{.Home}} {{.UID}} {{.Hostname}} {{.Param.Port}}'\n" +
      "- {mode: data, path: '{{.Home}}/f', content: '{{.User}}', owner: '{{.User}}'}\n" +
      "- {mode: yq, path: /etc/x.json, expression: '.port = {{.Param.Port}}'}\n" +
      "copyToHost: [{guest: '{{.Home}}/out', host: '{{.Dir}}/{{.User}}-{{.UID}}'}]\n" +
      'probes: [{script: "#!/bin/sh\\ntest -d {{.Home}}"}]\n',
    { name: "my.box_1", instDir: "/lima/home/my.box_1" },
  );
  assert.equal(y.user?.home, "/srv/guest");
  assert.equal(
    y.provision?.[0].script,
    "echo /srv/guest 2000 lima-my-box-1 8080",
  );
  assert.deepEqual(
    [y.provision?.[1].path, y.provision?.[1].content, y.provision?.[1].owner],
    ["/srv/guest/f", "guest", "guest"],
  );
  assert.equal(y.provision?.[2].expression, ".port = 8080");
  assert.equal(y.provision?.[2].owner, "root:root");
  assert.deepEqual(y.copyToHost?.[0], {
    guest: "/srv/guest/out",
    host: "/lima/home/my.box_1/alice-501",
    deleteOnStop: false,
    skipIfMissing: false,
  });
  assert.equal(y.probes?.[0].script, "#!/bin/sh\ntest -d /srv/guest");
  assert.equal(y.probes?.[0].description, "user probe 1/1");
  assert.equal(y.probes?.[0].mode, "readiness");
});

Deno.test("a broken template warns and keeps the text", () => {
  const y = fill("provision: [{script: 'echo {{.Nope'}]\n");
  assert.equal(y.provision?.[0].script, "echo {{.Nope");
  assert.ok(
    y.warnings.some((w) =>
      w.includes("provisioning script") && w.includes("as a template")
    ),
  );
});

Deno.test("provision defaults per mode", () => {
  const [system, dep, data, yq] = fill(
    "provision: [{script: a}, {mode: dependency, script: b}, {mode: data, path: /x}, {mode: yq, path: /y, expression: .a}]\n",
  ).provision!;
  assert.deepEqual(system, { mode: "system", script: "a" });
  assert.equal(dep.skipDefaultDependencyResolution, false);
  assert.deepEqual(
    [data.content, data.overwrite, data.owner, data.permissions],
    ["", true, "root:root", "644"],
  );
  assert.deepEqual([yq.format, yq.owner, yq.permissions, yq.overwrite], [
    "auto",
    "root:root",
    "644",
    undefined,
  ]);
});

Deno.test("user name falls back to lima for invalid host names, with a warning on creation", () => {
  const odd = { ...host, user: { ...host.user, name: "Alice Smith" } };
  const created = fill("", { host: odd });
  assert.equal(created.user?.name, "lima");
  assert.ok(
    created.warnings.some((w) => w.includes("is not a valid Linux username")),
  );
  const existing = fill("", { host: odd, existingLimaVersion: "2.0.0" });
  assert.equal(existing.user?.name, "lima");
  assert.deepEqual(existing.warnings, []);
  const admin = { ...host, user: { ...host.user, name: "admin" } };
  for (const os of ["Linux", "Darwin", "FreeBSD"]) {
    assert.equal(fill(`os: ${os}\n`, { host: admin }).user?.name, "lima", os);
  }
  assert.equal(
    fill("", { host: admin, existingLimaVersion: "0.23.0" }).user?.name,
    "admin",
    "instances made before Lima 1.0 keep the user they were made with",
  );
});

Deno.test("instances created before Lima 2.1 keep the .linux home", () => {
  assert.equal(
    fill("", { existingLimaVersion: "2.0.3" }).user?.home,
    "/home/alice.linux",
  );
  assert.equal(
    fill("", { existingLimaVersion: "" }).user?.home,
    "/home/alice.linux",
  );
  assert.equal(
    fill("", { existingLimaVersion: "2.1.0" }).user?.home,
    "/home/alice.guest",
  );
});

Deno.test("deprecated cpuType and rosetta move into vmOpts with a warning", () => {
  const y = fill(
    "cpuType: {x86_64: qemu64}\nrosetta: {enabled: true}\nvmOpts: {qemu: {cpuType: {aarch64: max}}}\n",
  );
  assert.deepEqual(y.vmOpts?.qemu?.cpuType, {
    aarch64: "max",
    x86_64: "qemu64",
  });
  assert.deepEqual(y.vmOpts?.vz?.rosetta, { enabled: true, binfmt: undefined });
  assert.equal(y.cpuType, undefined);
  assert.equal(y.warnings.filter((w) => w.includes("deprecated")).length, 2);
});

Deno.test("guestHostname replaces dots and underscores", () => {
  assert.equal(guestHostname("a.b_c"), "lima-a-b-c");
});

Deno.test("a root host user gets the ordinary guest user lima with uid 1000", () => {
  const root = { ...host, user: { ...host.user, name: "root", uid: 0 } };
  const filled = fill("", { host: root });
  assert.equal(filled.user?.name, "lima");
  assert.equal(filled.user?.uid, 1000);
  assert.equal(filled.user?.home, "/home/lima.guest");
  const explicit = fill("user: {name: root, uid: 0}\n", { host: root });
  assert.equal(explicit.user?.name, "root");
  assert.equal(explicit.user?.uid, 0);
});
