/**
 * `socket:` networks (Colima's reachable-address mode): two instances joined through the socket
 * switch of `tests/fixtures/socket_switch.ts`, standing in for socket_vmnet. Each guest gets a
 * second NIC with the `interface` name, `macAddress` and `metric` of its `networks` entry; the
 * switch gives no DHCP, so the test gives each guest an address, then the guests ping each other
 * and open a TCP connection across it. A socket that is missing or refuses connections fails
 * `start` before anything runs.
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { makeDeadSocket } from "../fixtures/dead_socket.ts";
import { startSocketSwitch } from "../fixtures/socket_switch.ts";
import { testTemplate } from "../fixtures/test_template.ts";
import type { GuestImage } from "../fixtures/guest_image.ts";
import {
  guestImage,
  type Lima,
  skipVMTests,
  start,
  withLima,
} from "./harness.ts";

interface Guest {
  name: string;
  /** `networks[0].interface`; undefined to take Lima's default, `lima0`. */
  interface?: string;
  mac: string;
  address: string;
}

const A: Guest = {
  name: "a",
  interface: "col0",
  mac: "52:55:55:5a:00:0a",
  address: "192.168.77.10",
};
const B: Guest = {
  name: "b",
  mac: "52:55:55:5a:00:0b",
  address: "192.168.77.11",
};
const METRIC = 150;

async function writeTemplate(
  lima: Lima,
  image: GuestImage,
  name: string,
  network: Record<string, unknown>,
): Promise<string> {
  const template = parse(testTemplate(image));
  // The switch gives no DHCP, so the NIC would stay "configuring" and hold cloud-init's network
  // stage for systemd-networkd-wait-online's 2 minutes; socket_vmnet's segments have DHCP.
  template.images[0].kernel.cmdline +=
    " systemd.mask=systemd-networkd-wait-online.service";
  template.networks = [network];
  const file = `${lima.home}/${name}.yaml`;
  await Deno.writeTextFile(file, stringify(template));
  return file;
}

/** Starting NAME fails naming `networks[0].socket` and PATH, and leaves the instance stopped. */
async function assertStartRefused(
  lima: Lima,
  image: GuestImage,
  name: string,
  path: string,
  why: RegExp,
): Promise<void> {
  const file = await writeTemplate(lima, image, name, { socket: path });
  try {
    const started = performance.now();
    const r = await lima.run(["start", "--tty=false", file]);
    const took = (performance.now() - started) / 1000;
    assert.equal(r.code, 1, `start exited ${r.code}:\n${r.stderr}`);
    assert.match(r.stderr, /networks\[0\]\.socket/);
    assert.ok(r.stderr.includes(path), r.stderr);
    assert.match(r.stderr, why);
    assert.ok(took < 60, `start took ${took.toFixed(1)} s to fail`);
    assert.equal((await lima.status(name)).status, "Stopped");
    for (const left of ["qemu.pid", "ha.pid", "ha.sock"]) {
      await assert.rejects(
        Deno.stat(`${lima.dir(name)}/${left}`),
        Deno.errors.NotFound,
        `${left} is left behind`,
      );
    }
  } finally {
    // Also when the start wrongly succeeded: the two guests below must be the only ones.
    await lima.run(["delete", "--force", name]);
  }
}

Deno.test({
  name:
    "two instances on a socket network reach each other on the named NIC with its MAC and metric",
  ignore: skipVMTests,
}, async (t) => {
  const image = await guestImage();
  await withLima(async (lima) => {
    await using sw = await startSocketSwitch(`${lima.home}/sw.sock`);

    await t.step("a socket that does not exist fails start", async () => {
      await assertStartRefused(
        lima,
        image,
        "missing",
        `${lima.home}/missing.sock`,
        /does not exist/,
      );
    });

    await t.step("a socket nobody listens on fails start", async () => {
      const path = `${lima.home}/dead.sock`;
      await makeDeadSocket(path);
      await assertStartRefused(lima, image, "dead", path, /refuse/);
    });

    // One after the other: on 2 cores two emulated boots take as long as one after the other.
    const started = await t.step(
      "both instances start on the switch",
      async () => {
        for (const g of [A, B]) {
          const file = await writeTemplate(lima, image, g.name, {
            socket: sw.path,
            macAddress: g.mac,
            metric: METRIC,
            ...(g.interface ? { interface: g.interface } : {}),
          });
          const r = await start(lima, ["--tty=false", file]);
          assert.doesNotMatch(r.stderr, /networks\[0\].*ignored/);
        }
      },
    );
    // The steps below would only repeat that the guests are not there.
    if (!started) return;

    for (const g of [A, B]) {
      const nic = g.interface ?? "lima0";
      await t.step(`${g.name} has ${nic} with its MAC and metric`, async () => {
        const [mac, metric, eth0] = (await lima.sh(
          g.name,
          [
            `cat /sys/class/net/${nic}/address`,
            `grep -h '^RouteMetric=' "$(networkctl status ${nic} | sed -n 's/^ *Network File: //p')"`,
            "ip -4 route show default dev eth0",
            `sudo ip addr add ${g.address}/24 dev ${nic}`,
          ].join(" && "),
        )).split("\n");
        assert.equal(mac, g.mac);
        assert.equal(metric, `RouteMetric=${METRIC}`);
        // The user-mode NIC keeps its own, lower-priority metric.
        assert.match(eth0, /metric 200\b/);
      });
    }

    await t.step("the guests ping each other across the switch", async () => {
      const before = sw.frames;
      assert.match(
        await lima.sh("a", `ping -c 3 -W 5 -I col0 ${B.address}`),
        / 0% packet loss/,
      );
      assert.match(
        await lima.sh("b", `ping -c 3 -W 5 -I lima0 ${A.address}`),
        / 0% packet loss/,
      );
      assert.ok(sw.frames >= before + 12, "the frames went through the switch");
    });

    await t.step("a TCP connection crosses the switch", async () => {
      const token = crypto.randomUUID();
      await lima.sh(
        "b",
        `setsid -f python3 -c "import socket; s = socket.create_server(('${B.address}', 7077)); c, _ = s.accept(); c.sendall(b'${token}'); c.close()" </dev/null >/dev/null 2>&1`,
      );
      const got = await lima.sh(
        "a",
        `python3 -c "
import socket, time
for _ in range(50):
    try:
        c = socket.create_connection(('${B.address}', 7077), timeout=10)
        break
    except ConnectionRefusedError:
        time.sleep(0.2)
print(c.recv(100).decode(), end='')
"`,
      );
      assert.equal(got, token);
    });
  });
});
