import assert from "node:assert/strict";
import type { Instance } from "../instance/record.ts";
import { formatTable } from "./table.ts";
import { alignColumns } from "../tabwriter.ts";

function instance(name: string, changes: Partial<Instance> = {}): Instance {
  return {
    name,
    hostname: `lima-${name}`,
    status: "Stopped",
    dir: `/home/u/.lima/${name}`,
    vmType: "qemu",
    arch: "x86_64",
    cpus: 4,
    memory: 4 * 1024 ** 3,
    disk: 100 * 1024 ** 3,
    message: "",
    additionalDisks: [],
    networks: [],
    sshLocalPort: 60022,
    sshConfigFile: "",
    hostAgentPID: 0,
    driverPID: 0,
    errors: [],
    sshAddress: "127.0.0.1",
    protected: false,
    limaVersion: "2.2.0",
    param: {},
    autoStartedIdentifier: "",
    ...changes,
  };
}

Deno.test("alignColumns pads like Go's tabwriter (min width 4, padding 4, last cell bare)", () => {
  assert.equal(
    alignColumns([["A", "BB", "last"], ["CCCCC", "D", "x"]]),
    "A        BB    last\nCCCCC    D     x\n",
  );
});

Deno.test("the table shows every column, sizes in binary units and ~ for the home directory", () => {
  const text = formatTable([
    instance("default"),
    instance("k8s", { status: "Running", memory: 1536 * 1024 ** 2 }),
  ], {
    homeDir: "/home/u",
    hostArch: "x86_64",
  });
  assert.equal(
    text,
    [
      "NAME       STATUS     SSH                VMTYPE    ARCH      CPUS    MEMORY    DISK      DIR",
      "default    Stopped    127.0.0.1:60022    qemu      x86_64    4       4GiB      100GiB    ~/.lima/default",
      "k8s        Running    127.0.0.1:60022    qemu      x86_64    4       1.5GiB    100GiB    ~/.lima/k8s",
      "",
    ].join("\n"),
  );
});

Deno.test("on a narrow terminal VMTYPE, ARCH and DIR are dropped only when shared", () => {
  const header = (width: number, all = false, list = [instance("a")]) =>
    formatTable(list, {
      terminalWidth: width,
      allFields: all,
      hostArch: "x86_64",
    }).split("\n")[0].split(/ +/);
  assert.deepEqual(header(200), [
    "NAME",
    "STATUS",
    "SSH",
    "VMTYPE",
    "ARCH",
    "CPUS",
    "MEMORY",
    "DISK",
    "DIR",
  ]);
  assert.deepEqual(header(60), [
    "NAME",
    "STATUS",
    "SSH",
    "CPUS",
    "MEMORY",
    "DISK",
  ]);
  assert.deepEqual(header(60, true), [
    "NAME",
    "STATUS",
    "SSH",
    "VMTYPE",
    "ARCH",
    "CPUS",
    "MEMORY",
    "DISK",
    "DIR",
  ]);
  const mixed = [
    instance("a"),
    instance("b", { vmType: "vz", arch: "aarch64" }),
  ];
  assert.deepEqual(header(60, false, mixed), [
    "NAME",
    "STATUS",
    "SSH",
    "VMTYPE",
    "ARCH",
    "CPUS",
    "MEMORY",
    "DISK",
  ]);
});
