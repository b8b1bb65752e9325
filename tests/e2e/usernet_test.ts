/**
 * `networks: [{lima: user-v2}]` on real instances, set up as Colima does it (a networks.yaml
 * holding only `networks.user-v2`): the guest's address, gateway and DNS come from the user-v2
 * network, `host.lima.internal` reaches the host's loopback, guest ports are forwarded, and two
 * instances on the network reach each other by address and by `lima-NAME.internal`. When the
 * last one stops, the network's daemon is gone with its sockets and PID file.
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { findGvproxy } from "../../core/network/usernet/find_gvproxy.ts";
import { freeLoopbackPort } from "../fixtures/free_port.ts";
import { testTemplate } from "../fixtures/test_template.ts";
import {
  CI,
  guestImage,
  type Lima,
  running,
  seconds,
  skipVMTests,
  sleep,
  start,
  waitFor,
  withLima,
} from "./harness.ts";

const gvproxy = findGvproxy();
if (!gvproxy && !CI) console.error("user-v2 tests skipped: gvproxy is missing");

/** The networks.yaml Colima writes (Lima's default user-v2 subnet). */
const COLIMA_NETWORKS = `networks:
  user-v2:
    mode: user-v2
    gateway: 192.168.104.1
    netmask: 255.255.255.0
`;

const NET = /^192\.168\.104\.\d+$/;

/** Starts a python HTTP server answering TAG on PORT in instance NAME. */
async function serveInGuest(
  lima: Lima,
  name: string,
  port: number,
  tag: string,
): Promise<void> {
  await lima.sh(
    name,
    `mkdir -p /tmp/www && echo ${tag} >/tmp/www/index.html && ` +
      `sudo systemd-run --unit web-${port} python3 -m http.server ${port} --bind 0.0.0.0 --directory /tmp/www`,
  );
}

const fetchInGuest = (url: string) =>
  `python3 -c "import urllib.request as u; print(u.urlopen('${url}', timeout=10).read().decode().strip())"`;

async function instanceYAML(
  lima: Lima,
  name: string,
  fastBoot: boolean,
): Promise<string> {
  const template = parse(testTemplate(await guestImage(), { fastBoot }));
  template.networks = [{ lima: "user-v2" }];
  const file = `${lima.home}/${name}.yaml`;
  await Deno.writeTextFile(file, stringify(template));
  return file;
}

Deno.test({
  name:
    "instances on a Colima-shaped user-v2 network: addresses, host.lima.internal, forwards, each other by name",
  ignore: skipVMTests || (!gvproxy && !CI),
}, async (t) => {
  assert.ok(gvproxy, "gvproxy is not installed (bash .ci/run installs it)");
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("hello from the host\n"),
  );
  try {
    await withLima(async (lima) => {
      try {
        await steps(lima);
      } finally {
        await killDaemon(lima);
      }
    });
  } finally {
    await server.shutdown();
  }

  async function steps(lima: Lima): Promise<void> {
    await Deno.mkdir(`${lima.home}/_config`, { recursive: true });
    await Deno.writeTextFile(
      `${lima.home}/_config/networks.yaml`,
      COLIMA_NETWORKS,
    );
    const net = `${lima.home}/_networks/user-v2`;
    // The first instance boots through cloud-init, the second through the seed's lima-init.
    await start(lima, [
      "--tty=false",
      "--name",
      "vm",
      await instanceYAML(lima, "vm", false),
    ]);
    let vmAddress = "";

    await t.step("the guest's eth0 is on the user-v2 network", async () => {
      const out = await lima.sh("vm", "ip -4 -o addr show dev eth0");
      vmAddress = /inet (\S+)\/24/.exec(out)?.[1] ?? "";
      assert.match(vmAddress, NET, out);
      assert.match(
        await lima.sh("vm", "ip -4 route show default"),
        /via 192\.168\.104\.2 dev eth0/,
      );
      assert.match(
        await lima.sh("vm", "resolvectl dns eth0 || cat /etc/resolv.conf"),
        /192\.168\.104\.2/,
      );
    });

    await t.step(
      "host.lima.internal is the gateway and reaches the host's loopback",
      async () => {
        assert.match(
          await lima.sh("vm", "getent ahostsv4 host.lima.internal"),
          /^192\.168\.104\.2\s/,
        );
        assert.equal(
          await lima.sh(
            "vm",
            fetchInGuest(
              `http://host.lima.internal:${server.addr.port}/`,
            ),
          ),
          "hello from the host",
        );
      },
    );

    await t.step("a guest port is forwarded to the host", async () => {
      const port = freeLoopbackPort();
      await serveInGuest(lima, "vm", port, "hello-from-vm");
      const took = await waitFor("the forwarded port", 30_000, async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/`);
          return (await res.text()).trim() === "hello-from-vm";
        } catch {
          return false;
        }
      });
      console.log(`  forwarded after ${seconds(took)}`);
    });

    await start(lima, [
      "--tty=false",
      "--name",
      "vm2",
      await instanceYAML(lima, "vm2", true),
    ]);

    await t.step(
      "two instances reach each other by address and by lima-NAME.internal",
      async () => {
        // lima-init leaves the NIC its kernel name (enp0s4); cloud-init renames it eth0.
        const vm2Address = /inet (\S+)\/24/.exec(
          await lima.sh("vm2", "ip -4 -o addr show scope global"),
        )?.[1] ?? "";
        assert.match(vm2Address, NET);
        assert.notEqual(vm2Address, vmAddress);
        assert.match(
          await lima.sh("vm2", "getent ahostsv4 lima-vm.internal"),
          new RegExp(`^${vmAddress.replaceAll(".", "\\.")}\\s`),
        );
        await lima.sh("vm2", `ping -c 1 -W 5 ${vmAddress}`);
        await lima.sh("vm2", "ping -c 1 -W 5 lima-vm.internal");
        await lima.sh("vm", "ping -c 1 -W 5 lima-vm2.internal");
        await serveInGuest(lima, "vm", 8080, "vm-over-user-v2");
        await sleep(1000);
        assert.equal(
          await lima.sh(
            "vm2",
            fetchInGuest("http://lima-vm.internal:8080/"),
          ),
          "vm-over-user-v2",
        );
        assert.equal(
          await lima.sh("vm2", fetchInGuest(`http://${vmAddress}:8080/`)),
          "vm-over-user-v2",
        );
      },
    );

    await t.step(
      "the daemon outlives the first stop and ends with the last",
      async () => {
        const pid = Number(
          (await Deno.readTextFile(`${net}/usernet_user-v2.pid`)).trim(),
        );
        assert.ok(await running(pid));
        await lima.expect(0, ["stop", "vm"]);
        assert.ok(await running(pid), "the daemon stopped with vm2 running");
        await lima.expect(0, ["stop", "vm2"]);
        await waitFor(
          "the daemon's exit",
          10_000,
          async () => !(await running(pid)),
        );
        const left = (await Array.fromAsync(Deno.readDir(net))).map((e) =>
          e.name
        ).sort();
        assert.deepEqual(
          left.filter((f) => f.endsWith(".sock") || f.endsWith(".pid")),
          [],
        );
        const leases = JSON.parse(
          await Deno.readTextFile(`${net}/leases.json`),
        );
        assert.ok(vmAddress in leases, JSON.stringify(leases));
      },
    );
  }
});

/** Kills the user-v2 daemon of LIMA if a failed step left it running. */
async function killDaemon(lima: Lima): Promise<void> {
  const file = `${lima.home}/_networks/user-v2/usernet_user-v2.pid`;
  const pid = Number((await Deno.readTextFile(file).catch(() => "")).trim());
  if (pid > 0 && await running(pid)) Deno.kill(pid, "SIGTERM");
}
