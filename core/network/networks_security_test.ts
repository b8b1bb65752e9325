/** Lima's `pkg/networks/validate.go` checks, on a fake macOS. */
import assert from "node:assert/strict";
import { fakeHost } from "../../tests/fixtures/fake_network_host.ts";
import type { FileFacts } from "./network_host.ts";
import { validateNetworksSecurity } from "./networks_security.ts";
import { parseNetworks } from "./networks_yaml.ts";

const SOCKET_VMNET = "/opt/socket_vmnet/bin/socket_vmnet";
const yaml = (extra = "") =>
  `paths:
  socketVMNet: ${SOCKET_VMNET}
  varRun: /private/var/run/lima
  sudoers: /private/etc/sudoers.d/lima
group: admin
networks:
  shared: {mode: shared, gateway: 192.168.105.1, dhcpEnd: 192.168.105.254, netmask: 255.255.255.0}
${extra}`;

function check(
  files: Record<string, Partial<FileFacts>>,
  text = yaml(),
): void {
  validateNetworksSecurity(
    parseNetworks(text, "networks.yaml"),
    fakeHost({ files }),
  );
}

const secure = {
  [SOCKET_VMNET]: {},
  "/private/var/run": { isDirectory: true },
};

Deno.test("root-owned paths pass; varRun and the sudoers file need not exist", () => {
  check(secure);
});

Deno.test("socket_vmnet must be installed", () => {
  assert.throws(
    () => check({ "/private/var/run": { isDirectory: true } }),
    {
      message:
        "networks.yaml: `/opt/socket_vmnet/bin/socket_vmnet` (`paths.socketVMNet`) has to be installed",
    },
  );
});

Deno.test("a path owned by the user, or writable by others, is refused", () => {
  const cases: [Record<string, Partial<FileFacts>>, string][] = [
    [
      { [SOCKET_VMNET]: { uid: 501 } },
      "networks.yaml field `paths.socketVMNet` error: file `/opt/socket_vmnet/bin/socket_vmnet` is not owned by `root` (uid: 0), but by uid 501",
    ],
    [
      {
        [SOCKET_VMNET]: {},
        "/opt/socket_vmnet": { isDirectory: true, mode: 0o777 },
      },
      "networks.yaml field `paths.socketVMNet` error: dir `/opt/socket_vmnet` is world-writable",
    ],
    [
      { [SOCKET_VMNET]: { mode: 0o775, gid: 20 } },
      "networks.yaml field `paths.socketVMNet` error: file `/opt/socket_vmnet/bin/socket_vmnet` is group-writable and group is not `root` (gid: 0), but is gid: 20",
    ],
    [
      { [SOCKET_VMNET]: { isSymlink: true } },
      "networks.yaml field `paths.socketVMNet` error: file `/opt/socket_vmnet/bin/socket_vmnet` is a symlink",
    ],
    [
      {
        ...secure,
        "/private/var/run/lima": { isDirectory: true, mode: 0o775, gid: 20 },
      },
      "networks.yaml field `paths.varRun` error: dir `/private/var/run/lima` is group-writable and group is neither `root` (gid: 0) nor `daemon` (gid: 1), but is gid: 20",
    ],
    [
      {
        ...secure,
        "/private/var/run/lima": { isDirectory: true, mode: 0o770, gid: 0 },
      },
      'networks.yaml field `paths.varRun` error: dir `/private/var/run/lima` is not executable by the `daemon` (gid: 1)" group',
    ],
  ];
  for (const [files, message] of cases) {
    assert.throws(() => check(files), { message });
  }
  // The daemon group may write varRun itself.
  check({
    ...secure,
    "/private/var/run/lima": { isDirectory: true, mode: 0o775, gid: 1 },
  });
});

Deno.test("words that reach sudo must be identifiers", () => {
  assert.throws(
    () => check(secure, yaml().replace("group: admin", "group: 'admin bad'")),
    /^LimaError: invalid group `admin bad`: identifier `admin bad` must match/,
  );
  assert.throws(
    () => check(secure, yaml("  br: {mode: bridged, interface: 'en0 --x'}\n")),
    {
      message:
        "invalid interface `en0 --x` for network `br`: identifier `en0 --x` must match ^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$",
    },
  );
  assert.throws(
    () => check(secure, yaml().replace("/private/var/run/lima", "var/run")),
    {
      message:
        "networks.yaml field `paths.varRun` error: path `.` is not an absolute path",
    },
  );
});
