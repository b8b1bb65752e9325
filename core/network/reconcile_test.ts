/**
 * Reconciling socket_vmnet networks on a fake macOS: the exact sudo command lines of Lima's
 * `pkg/networks/reconcile/reconcile.go`, with nothing run for real.
 */
import assert from "node:assert/strict";
import {
  fakeHost,
  type FakeHostOptions,
} from "../../tests/fixtures/fake_network_host.ts";
import { defaultNetworksYAML } from "./networks_yaml.ts";
import { type InstanceNetworks, reconcileNetworks } from "./reconcile.ts";

const SOCKET_VMNET = "/opt/socket_vmnet/bin/socket_vmnet";
const SUDO = [
  "sudo",
  "--user",
  "root",
  "--group",
  "wheel",
  "--non-interactive",
];
const PID = "/private/var/run/lima/shared_socket_vmnet.pid";
const SUDO_CHECK = [
  ["sudo", "-k"],
  [...SUDO, "true"],
];

function macOS(options: FakeHostOptions = {}) {
  const host = fakeHost({
    files: {
      [SOCKET_VMNET]: {},
      "/private/var/run/lima": { isDirectory: true, mode: 0o775, gid: 1 },
    },
    executables: [SOCKET_VMNET],
    ...options,
  });
  // No sudoers file: sudo must work without a password.
  return Object.assign(host, { readFile: () => Promise.resolve(undefined) });
}

async function withHome(work: (home: string) => Promise<void>) {
  const home = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${home}/_config`);
    await Deno.writeTextFile(
      `${home}/_config/networks.yaml`,
      defaultNetworksYAML(SOCKET_VMNET),
    );
    await work(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

const instances = (...list: InstanceNetworks[]) => () => Promise.resolve(list);

Deno.test("the network of the instance about to start is started through sudo", async () => {
  await withHome(async (home) => {
    const host = macOS();
    await reconcileNetworks("vm", {
      home,
      host,
      instances: instances(
        { name: "vm", running: false, networks: ["shared"] },
        { name: "other", running: false, networks: ["host"] },
      ),
    });
    assert.deepEqual(host.commands, [
      ...SUDO_CHECK,
      [...SUDO, "/bin/mkdir", "-m", "775", "-p", "/private/var/run/lima"],
      [
        ...SUDO,
        SOCKET_VMNET,
        `--pidfile=${PID}`,
        "--socket-group=admin",
        "--vmnet-mode=shared",
        "--vmnet-gateway=192.168.105.1",
        "--vmnet-dhcp-end=192.168.105.254",
        "--vmnet-mask=255.255.255.0",
        "/private/var/run/lima/socket_vmnet.shared",
      ],
    ]);
    assert.deepEqual(host.spawned[0].cwd, "/private/var/run/lima");
    assert.equal(
      host.spawned[0].stdout,
      `${home}/_networks/shared_socket_vmnet.stdout.log`,
    );
    assert.equal(
      host.spawned[0].stderr,
      `${home}/_networks/shared_socket_vmnet.stderr.log`,
    );
    assert.equal(
      await Deno.readTextFile(
        `${home}/_networks/shared_socket_vmnet.stderr.log`,
      ),
      "",
    );
    // Running already: only the (once per process) sudo check, as in Lima.
    const again = macOS({ pids: { [PID]: 4242 } });
    await reconcileNetworks("vm", {
      home,
      host: again,
      instances: instances({ name: "vm", running: true, networks: ["shared"] }),
    });
    assert.deepEqual(again.commands, SUDO_CHECK);
  });
});

Deno.test("a network no running instance uses is stopped with pkill -F", async () => {
  await withHome(async (home) => {
    const host = macOS({ pids: { [PID]: 4242 } });
    await reconcileNetworks(undefined, {
      home,
      host,
      instances: instances({
        name: "vm",
        running: false,
        networks: ["shared"],
      }),
    });
    assert.deepEqual(host.commands, [
      ...SUDO_CHECK,
      [...SUDO, "/usr/bin/pkill", "-F", PID],
    ]);
    // While an instance cannot be read, nothing is stopped.
    const unsure = macOS({ pids: { [PID]: 4242 } });
    await reconcileNetworks(undefined, {
      home,
      host: unsure,
      instances: instances({ name: "broken", running: false }),
    });
    assert.deepEqual(unsure.commands, []);
  });
});

Deno.test("a daemon that exits before writing its PID file is retried, as Lima does at boot", async () => {
  await withHome(async (home) => {
    const host = macOS({ failingStarts: 2 });
    await reconcileNetworks("vm", {
      home,
      host,
      instances: instances({
        name: "vm",
        running: false,
        networks: ["shared"],
      }),
    });
    assert.equal(host.spawned.length, 3);
    assert.deepEqual(host.slept.filter((ms) => ms >= 1000), [1000, 2000]);
    const hopeless = macOS({ failingStarts: 5 });
    await assert.rejects(
      () =>
        reconcileNetworks("vm", {
          home,
          host: hopeless,
          instances: instances({
            name: "vm",
            running: false,
            networks: ["shared"],
          }),
        }),
      new RegExp(
        "socket_vmnet daemon for `shared` network failed to start after 5 attempts: daemon exited before writing its PID file: exit status 1 \\(check `.*shared_socket_vmnet.stderr.log`\\)",
      ),
    );
  });
});

Deno.test("an unsafe networks.yaml or a sudo that asks for a password stops the start", async () => {
  await withHome(async (home) => {
    const vm = instances({ name: "vm", running: false, networks: ["shared"] });
    const asking = macOS({ exitCodes: { [[...SUDO, "true"].join(" ")]: 1 } });
    await assert.rejects(
      () => reconcileNetworks("vm", { home, host: asking, instances: vm }),
      /^LimaError: can't read `\/private\/etc\/sudoers.d\/lima`: open \/private\/etc\/sudoers.d\/lima: no such file or directory: \(Hint: run `limactl sudoers >etc_sudoers.d_lima && sudo install -o root etc_sudoers.d_lima "\/private\/etc\/sudoers.d\/lima"`\)\)$/,
    );
    const unsafe = macOS({
      files: { [SOCKET_VMNET]: { uid: 501 } },
    });
    await assert.rejects(
      () => reconcileNetworks("vm", { home, host: unsafe, instances: vm }),
      /is not owned by `root`/,
    );
    assert.deepEqual(unsafe.commands, []);
  });
});

Deno.test("off macOS only user-v2 networks are managed, and without any network networks.yaml is not created", async () => {
  const home = await Deno.makeTempDir();
  try {
    const host = macOS({ os: "linux" });
    await reconcileNetworks("vm", {
      home,
      host,
      instances: instances({ name: "vm", running: false, networks: [] }),
    });
    assert.equal(await Deno.stat(`${home}/_config`).catch(() => null), null);
    await Deno.mkdir(`${home}/_config`);
    await Deno.writeTextFile(
      `${home}/_config/networks.yaml`,
      defaultNetworksYAML(SOCKET_VMNET),
    );
    await reconcileNetworks("vm", {
      home,
      host,
      instances: instances({
        name: "vm",
        running: false,
        networks: ["shared"],
      }),
    });
    assert.deepEqual(host.commands, []);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

/** A manager that records what it was asked to do. */
function recorder() {
  const calls: string[] = [];
  return {
    calls,
    manager: {
      start: (name: string) =>
        Promise.resolve(void calls.push(`start ${name}`)),
      stop: (name: string) => Promise.resolve(void calls.push(`stop ${name}`)),
    },
  };
}

Deno.test("the user-v2 networks of running instances and of the one starting run; the rest stop", async () => {
  await withHome(async (home) => {
    await Deno.writeTextFile(
      `${home}/_config/networks.yaml`,
      `networks:
  user-v2: {mode: user-v2, gateway: 192.168.104.1, netmask: 255.255.255.0}
  lab: {mode: user-v2, gateway: 10.9.0.1, netmask: 255.255.0.0}
  shared: {mode: shared, gateway: 192.168.105.1, netmask: 255.255.255.0}
`,
    );
    const list = instances(
      { name: "a", running: true, networks: ["user-v2"] },
      { name: "b", running: false, networks: ["lab"] },
      { name: "c", running: true, networks: ["shared"] },
    );
    const run = async (starting?: string) => {
      const { calls, manager } = recorder();
      await reconcileNetworks(starting, {
        home,
        instances: list,
        managers: () => ({ "user-v2": manager }),
      });
      return calls;
    };
    assert.deepEqual(await run(), ["start user-v2", "stop lab"]);
    assert.deepEqual(await run("b"), ["start user-v2", "start lab"]);
    const { calls, manager } = recorder();
    await reconcileNetworks(undefined, {
      home,
      instances: instances({ name: "broken", running: false }),
      managers: () => ({ "user-v2": manager }),
    });
    assert.deepEqual(
      calls,
      [],
      "nothing stops while an instance is unreadable",
    );
  });
});
