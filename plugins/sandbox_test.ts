import assert from "node:assert/strict";
import { join } from "node:path";
import type { DriverPermissions } from "./contract.ts";
import { failure } from "./_test_utils.ts";
import { DriverRegistry, permissionSummary } from "./registry.ts";

/** A driver whose `configure` reads FILE and whose `create` writes FILE, both relative to its instance. */
const probeSource = (permissions: DriverPermissions) => `
export const manifest = {
  name: "probe", contractVersion: "1.0", hosts: [{ os: "linux" }], vmTypes: ["probe"],
  capabilities: { mountTypes: ["reverse-sshfs"], snapshots: false, gui: false, display: false,
    dynamicSSHAddress: false, noCloudInit: false, guestAgentTransport: "ssh", imageFormats: ["raw"] },
  permissions: ${JSON.stringify(permissions)},
};
export default (instance, options) => ({
  configure: () => Deno.readTextFile(instance.dir + "/" + options.file),
  create: () => Deno.writeTextFile(instance.dir + "/" + options.file, "written by the driver"),
});
`;

interface Setup {
  home: string;
  instDir: string;
  registry: DriverRegistry;
  /** Installs the probe asking for PERMISSIONS. */
  install(permissions: DriverPermissions): Promise<void>;
}

async function withProbe(fn: (s: Setup) => Promise<void>) {
  const home = await Deno.makeTempDir({ prefix: "lima-home-" });
  const registry = new DriverRegistry({ builtin: {}, limaHome: home });
  const instDir = join(home, "default");
  await Deno.mkdir(join(home, "_config"));
  await Deno.writeTextFile(join(home, "_config", "user"), "PRIVATE KEY");
  await Deno.mkdir(instDir);
  const module = join(home, "probe.ts");
  try {
    await fn({
      home,
      instDir,
      registry,
      async install(permissions) {
        await Deno.writeTextFile(module, probeSource(permissions));
        await registry.install(module);
      },
    });
  } finally {
    await registry.close();
    await Deno.remove(home, { recursive: true });
  }
}

const own = { read: ["$LIMA_HOME"], write: ["$LIMA_HOME"] };

Deno.test("a driver granted $LIMA_HOME reaches its instance and data directories, not the SSH key", async () => {
  await withProbe(async ({ home, instDir, registry, install }) => {
    await install(own);
    const loaded = await registry.get("probe");
    const bind = (file: string) =>
      loaded.create({ name: "default", dir: instDir, config: {} }, { file });

    const key = await failure((await bind("../_config/user")).configure());
    assert.equal(
      key.diagnostic.summary,
      "driver `probe` needs a permission that it did not declare",
    );
    const records = await failure(
      (await bind("../_drivers/drivers.json")).create(),
    );
    assert.match(records.diagnostic.detail!, /Requires write access/);
    const other = await failure((await bind("../other/disk")).create());
    assert.match(other.diagnostic.detail!, /Requires write access/);

    await (await bind("disk")).create();
    assert.equal(
      await Deno.readTextFile(join(instDir, "disk")),
      "written by the driver",
    );
    await (await bind("../_drivers/data/probe/state")).create();
    assert.equal(
      await Deno.readTextFile(join(home, "_drivers/data/probe/state")),
      "written by the driver",
    );
  });
});

Deno.test("$LIMA_HOME/sub names sub inside the driver's own directories, never elsewhere in LIMA_HOME", async () => {
  await withProbe(async ({ home, instDir, registry, install }) => {
    await Deno.mkdir(join(home, "victim"));
    await Deno.writeTextFile(join(home, "victim", "lima.yaml"), "theirs");
    await Deno.mkdir(join(home, "_disks", "data"), { recursive: true });
    await Deno.mkdir(join(instDir, "victim"));
    await Deno.writeTextFile(join(instDir, "victim", "lima.yaml"), "mine");
    await install({
      read: ["$LIMA_HOME/victim", "$LIMA_HOME/_disks"],
      write: ["$LIMA_HOME/victim"],
    });
    const loaded = await registry.get("probe");
    const bind = (file: string) =>
      loaded.create({ name: "default", dir: instDir, config: {} }, { file });

    // The tester's probe: another instance's files and every data disk.
    const theirs = await failure((await bind("../victim/lima.yaml")).create());
    assert.match(theirs.diagnostic.detail!, /Requires write access/);
    assert.equal(
      await Deno.readTextFile(join(home, "victim/lima.yaml")),
      "theirs",
    );
    const disks = await failure((await bind("../_disks/data")).configure());
    assert.match(disks.diagnostic.detail!, /Requires read access/);

    await (await bind("victim/lima.yaml")).create();
    assert.equal(
      await Deno.readTextFile(join(instDir, "victim/lima.yaml")),
      "written by the driver",
    );
    const other = await failure((await bind("lima.yaml")).configure());
    assert.match(other.diagnostic.detail!, /Requires read access/);
  });
});

Deno.test("`..`, relative paths and paths into or around LIMA_HOME are refused at install", async () => {
  await withProbe(async ({ home, registry, install }) => {
    const refusals: [DriverPermissions, string, RegExp][] = [
      [
        { read: ["$LIMA_HOME/../secret.txt"] },
        "may not read `$LIMA_HOME/../secret.txt`",
        /may not contain `\.\.`/,
      ],
      [
        { read: ["$LIMA_HOME/../../root/.ssh"] },
        "may not read",
        /may not contain `\.\.`/,
      ],
      [{ write: ["/tmp/../etc"] }, "may not write", /may not contain `\.\.`/],
      [{ read: ["secret.txt"] }, "may not read", /must be absolute/],
      [{ read: ["$LIMA_HOMEX"] }, "may not read", /must be absolute/],
      [{ write: [home] }, `may not write \`${home}\``, /is inside/],
      [{ read: ["/"] }, "may not read `/`", /contains/],
      [{ read: [join(home, "_disks")] }, "may not read", /is inside/],
      [{ write: [join(home, "default")] }, "may not write", /is inside/],
      [
        { read: [join(home, "_drivers", "data", "probe")] },
        "may not read",
        /is inside/,
      ],
      [{ read: true }, "asks to read every file", /SSH private key/],
    ];
    for (const [permissions, summary, detail] of refusals) {
      const err = await failure(install(permissions));
      assert.match(err.diagnostic.summary, new RegExp(RegExp.escape(summary)));
      assert.match(err.diagnostic.detail!, detail);
    }
    assert.deepEqual(await registry.list(), []);
  });
});

Deno.test("a record granting `..` (written before it was refused) is refused when the driver loads", async () => {
  await withProbe(async ({ home, registry, install }) => {
    await install({ read: ["$LIMA_HOME"] });
    const module = join(home, "probe.ts");
    const permissions = { read: ["$LIMA_HOME", "$LIMA_HOME/../secret.txt"] };
    await Deno.writeTextFile(module, probeSource(permissions));
    const records = join(home, "_drivers", "drivers.json");
    const body = JSON.parse(await Deno.readTextFile(records));
    body.drivers[0].permissions = permissions;
    await Deno.writeTextFile(records, JSON.stringify(body));
    const err = await failure(registry.get("probe"));
    assert.equal(
      err.diagnostic.summary,
      "driver `probe` may not read `$LIMA_HOME/../secret.txt`",
    );
  });
});

Deno.test("$LIMA_HOME/sub leading elsewhere through a symlink is refused before the Worker starts", async () => {
  await withProbe(async ({ home, instDir, registry, install }) => {
    await Deno.mkdir(join(home, "victim"));
    await install({ read: ["$LIMA_HOME/state"] });
    const loaded = await registry.get("probe");
    await Deno.symlink(join(home, "victim"), join(instDir, "state"));
    const err = await failure(
      loaded.create({ name: "default", dir: instDir, config: {} }),
    );
    assert.equal(
      err.diagnostic.summary,
      "driver `probe` may not read `$LIMA_HOME/state`",
    );
    assert.match(
      err.diagnostic.detail!,
      new RegExp(
        `resolves to \`${RegExp.escape(join(home, "victim"))}\`, outside`,
      ),
    );
  });
});

Deno.test("the install prompt shows the absolute paths a driver will be given", () => {
  const home = join("/home", "user", ".lima");
  const summary = permissionSummary(
    {
      name: "probe",
      contractVersion: "1.0",
      hosts: [{ os: "linux" }],
      vmTypes: ["probe"],
      capabilities: {
        mountTypes: [],
        snapshots: false,
        gui: false,
        display: false,
        dynamicSSHAddress: false,
        noCloudInit: false,
        guestAgentTransport: "ssh",
        imageFormats: [],
      },
      permissions: {
        read: ["$LIMA_HOME", "$LIMA_HOME/victim", "/usr/share/qemu"],
        write: ["$LIMA_HOME/victim"],
        run: ["qemu-img"],
      },
    },
    "/tmp/probe.ts",
    home,
  );
  const data = join(home, "_drivers/data/probe");
  const inst = join(home, "<instance>");
  assert.equal(
    summary,
    [
      "Driver `probe` (contract 1.0) from /tmp/probe.ts asks for these permissions:",
      `  read: ${inst}, ${data}, ${inst}/victim, ${data}/victim, /usr/share/qemu`,
      `  write: ${inst}/victim, ${data}/victim`,
      "  run: qemu-img",
      `(<instance> is the directory of each instance it drives; ${data} is its own data directory)`,
    ].join("\n"),
  );
});

Deno.test("a symlink under a granted directory cannot lead the driver outside it", async () => {
  const outside = await Deno.makeTempFile({ prefix: "lima-outside-" });
  try {
    await withProbe(async ({ home, instDir, registry, install }) => {
      await Deno.writeTextFile(outside, "host file");
      await install(own);
      const loaded = await registry.get("probe");
      const instance = { name: "default", dir: instDir, config: {} };

      await Deno.writeTextFile(join(instDir, "disk"), "");
      await Deno.symlink(join(instDir, "disk"), join(instDir, "inside"));
      await (await loaded.create(instance, { file: "inside" })).create();
      assert.equal(
        await Deno.readTextFile(join(instDir, "disk")),
        "written by the driver",
        "a symlink that stays inside is fine",
      );

      await Deno.symlink(outside, join(instDir, "escape"));
      const write = await failure(loaded.create(instance, { file: "escape" }));
      assert.equal(
        write.diagnostic.summary,
        `driver \`probe\` cannot start: symlink \`${
          join(instDir, "escape")
        }\` leads outside what it may write`,
      );
      assert.equal(await Deno.readTextFile(outside), "host file");
      await Deno.remove(join(instDir, "escape"));

      await Deno.mkdir(join(home, "_drivers/data/probe"), { recursive: true });
      await Deno.symlink(
        join(home, "_config"),
        join(home, "_drivers/data/probe/keys"),
      );
      const key = await failure(
        loaded.create(instance, { file: "../_drivers/data/probe/keys/user" }),
      );
      assert.match(key.diagnostic.summary, /symlink .* leads outside/);
    });
  } finally {
    await Deno.remove(outside);
  }
});

Deno.test("a symlink under a grant it may only read cannot lead the driver into another instance", async () => {
  await withProbe(async ({ home, instDir, registry, install }) => {
    await install({ read: ["$LIMA_HOME"] });
    const loaded = await registry.get("probe");
    await Deno.mkdir(join(home, "other"));
    await Deno.mkdir(join(home, "_drivers/data/probe"), { recursive: true });
    await Deno.symlink(join(home, "other"), join(instDir, "peek"));
    const peek = await failure(
      loaded.create({ name: "default", dir: instDir, config: {} }),
    );
    assert.equal(
      peek.diagnostic.summary,
      `driver \`probe\` cannot start: symlink \`${
        join(instDir, "peek")
      }\` leads outside what it may read`,
    );
  });
});
