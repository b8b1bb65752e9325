import assert from "node:assert/strict";
import { join } from "node:path";
import type { LimaError } from "../errors.ts";
import { DriverRegistry } from "../../plugins/registry.ts";
import {
  applySnapshot,
  createSnapshot,
  deleteSnapshot,
  listSnapshots,
  snapshotTags,
} from "./snapshot.ts";
import "../../tests/use_builtin_drivers.ts";

const HEADER =
  "ID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT";

Deno.test("the quiet list is the TAG column of the rows under the header", () => {
  assert.deepEqual(snapshotTags(""), []);
  assert.deepEqual(snapshotTags(`${HEADER}\n`), []);
  assert.deepEqual(
    snapshotTags(
      `${HEADER}\n` +
        "1         snap1                 0 B 2026-12-06 19:40:58 00:00:00.000          0\n" +
        "--        snap two          495 KiB 2026-12-06 19:41:29 00:00:00.000           \n" +
        "3         vm-20261206194129  1.5 MiB 2026-12-06 19:41:29 00:00:01.000           \n",
    ),
    ["snap1", "snap two", "vm-20261206194129"],
  );
  // A row in another layout: its second column, as Lima reads it.
  assert.deepEqual(snapshotTags("ID TAG\n7 other words\n"), ["other"]);
  assert.throws(
    () => snapshotTags("Name Created\nx y\n"),
    (err: LimaError) => err.message === "unknown header: Name Created",
  );
});

/**
 * A third-party driver that keeps its snapshots' tags in the instance directory (each binding
 * gets a Worker of its own) and records there which one `apply` restored.
 */
const SNAPSHOT_DRIVER = `
export const manifest = {
  name: "snappy", contractVersion: "1.0", hosts: [{ os: "${Deno.build.os}" }],
  vmTypes: ["snappy"],
  capabilities: { mountTypes: ["reverse-sshfs"], snapshots: true, gui: false, display: false,
    dynamicSSHAddress: false, noCloudInit: false, guestAgentTransport: "ssh", imageFormats: ["raw"] },
  permissions: { read: ["$LIMA_HOME"], write: ["$LIMA_HOME"] },
};
const fail = (summary) => Object.assign(new Error(summary), { diagnostic: { summary } });
export default (instance) => {
  const file = instance.dir + "/tags.json";
  const tags = async () => {
    try { return JSON.parse(await Deno.readTextFile(file)); } catch { return []; }
  };
  const save = (list) => Deno.writeTextFile(file, JSON.stringify(list));
  return {
    configure: () => { throw fail("configure is not needed for snapshots"); },
    validate: async () => [], create: async () => {}, createDisk: async () => {},
    start: async () => ({ exited: new Promise(() => {}) }), stop: async () => {},
    delete: async () => {}, inspectStatus: async () => "", sshAddress: async () => "127.0.0.1",
    bootScripts: async () => ({}),
    info: async () => ({ name: "snappy", vsockPort: 0, virtioPort: "", instanceDir: instance.dir,
      features: {} }),
    snapshots: {
      create: async (tag) => save([...(await tags()), tag]),
      apply: async (tag) => {
        if (!(await tags()).includes(tag)) throw fail("no snapshot " + tag);
        await Deno.writeTextFile(instance.dir + "/applied", tag);
      },
      delete: async (tag) => save((await tags()).filter((t) => t !== tag)),
      list: async () => ${
  JSON.stringify(HEADER + "\n")
} + (await tags()).map((t, i) =>
        (i + 1) + "         " + t + "   0 B 2026-01-01 00:00:00 00:00:00.000\\n").join(""),
    },
  };
};
`;

Deno.test("a third-party driver's snapshots are reached through its Worker, without configure", async () => {
  const home = await Deno.makeTempDir({ prefix: "lima-" });
  const previous = Deno.env.get("LIMA_HOME");
  Deno.env.set("LIMA_HOME", home);
  const drivers = new DriverRegistry({ builtin: {}, limaHome: home });
  try {
    const module = join(home, "snappy.ts");
    await Deno.writeTextFile(module, SNAPSHOT_DRIVER);
    await drivers.install(module);
    await Deno.mkdir(join(home, "vm"));
    await Deno.writeTextFile(
      join(home, "vm", "lima.yaml"),
      "images: [{location: /etc/profile}]\nvmType: snappy\n",
    );
    const o = { drivers };
    await createSnapshot("vm", "one", o);
    await createSnapshot("vm", "two", o);
    assert.equal(
      await listSnapshots("vm", { ...o, quiet: true }),
      "one\ntwo\n",
    );
    assert.match(await listSnapshots("vm", o), /^ID +TAG .*\n1 +one +0 B/);
    await applySnapshot("vm", "one", o);
    assert.equal(await Deno.readTextFile(join(home, "vm", "applied")), "one");
    await deleteSnapshot("vm", "one", o);
    assert.equal(await listSnapshots("vm", { ...o, quiet: true }), "two\n");

    await assert.rejects(applySnapshot("vm", "one", o), (err: LimaError) => {
      assert.equal(err.diagnostic.summary, "no snapshot one");
      return true;
    });
    await assert.rejects(
      createSnapshot("vm", undefined, o),
      (err: LimaError) => {
        assert.equal(err.diagnostic.summary, "expected tag");
        return true;
      },
    );
  } finally {
    await drivers.close();
    if (previous === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", previous);
    await Deno.remove(home, { recursive: true });
  }
});
