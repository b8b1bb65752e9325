import assert from "node:assert/strict";
import { join } from "node:path";
import type { DriverPermissions } from "./contract.ts";
import { failure } from "./_test_utils.ts";
import { DriverRegistry } from "./registry.ts";

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

Deno.test("grants reaching LIMA_HOME as a whole, _config or every file are refused at install", async () => {
  await withProbe(async ({ home, registry, install }) => {
    const refusals: [DriverPermissions, string][] = [
      [{ read: ["$LIMA_HOME/_config"] }, "may not read `$LIMA_HOME/_config`"],
      [{ write: [home] }, `may not write \`${home}\``],
      [{ read: ["/"] }, "may not read `/`"],
      [{ write: ["$LIMA_HOME/_drivers"] }, "may not write"],
      [{ read: true }, "asks to read every file"],
    ];
    for (const [permissions, message] of refusals) {
      const err = await failure(install(permissions));
      assert.match(err.diagnostic.summary, new RegExp(RegExp.escape(message)));
    }
    assert.deepEqual(await registry.list(), []);
  });
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
