import assert from "node:assert/strict";
import { lockDisks } from "./disk_lock.ts";
import { inspectDisk } from "../store/disks.ts";
import "../../tests/use_builtin_drivers.ts";

/**
 * A LIMA_HOME with disks `data` and `free` and instances `a` and `b`. `run(name)` makes an
 * instance look running: stand-in processes named by `ha.pid` and `qemu.pid`.
 */
async function withHome(
  fn: (home: {
    dir: (name: string) => string;
    run: (name: string) => Deno.ChildProcess[];
  }) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "lima-" });
  const previous = Deno.env.get("LIMA_HOME");
  Deno.env.set("LIMA_HOME", home);
  const children: Deno.ChildProcess[] = [];
  const dir = (name: string) => `${home}/${name}`;
  for (const disk of ["data", "free"]) {
    await Deno.mkdir(`${home}/_disks/${disk}`, { recursive: true });
    await Deno.writeFile(
      `${home}/_disks/${disk}/datadisk`,
      new Uint8Array(4096),
    );
  }
  for (const name of ["a", "b"]) {
    await Deno.mkdir(dir(name));
    await Deno.writeTextFile(
      `${dir(name)}/lima.yaml`,
      "images: [{location: /etc/profile}]\n",
    );
  }
  const run = (name: string) => {
    const started = ["ha.pid", "qemu.pid"].map((file) => {
      const child = new Deno.Command("sleep", { args: ["60"] }).spawn();
      Deno.writeTextFileSync(`${dir(name)}/${file}`, `${child.pid}\n`);
      return child;
    });
    children.push(...started);
    return started;
  };
  try {
    await fn({ dir, run });
  } finally {
    for (const child of children) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already ended.
      }
      await child.status;
    }
    if (previous === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", previous);
    await Deno.remove(home, { recursive: true });
  }
}

const holder = async (disk: string) => (await inspectDisk(disk))!.instance;

Deno.test("a disk locked by a running instance refuses another one, which keeps no disk", () =>
  withHome(async ({ dir, run }) => {
    run("a");
    const a = await lockDisks(["data"], dir("a"));
    assert.equal((await inspectDisk("data"))!.instanceDir, dir("a"));
    await assert.rejects(
      lockDisks(["free", "data"], dir("b")),
      /failed to run attach disk `data`, in use by instance `a`/,
    );
    assert.equal(await holder("free"), "", "the disk taken first is released");
    assert.equal(await holder("data"), "a");
    await a[Symbol.asyncDispose]();
    assert.equal(await holder("data"), "");
  }));

Deno.test("a VM that outlived its host agent keeps its disk", () =>
  withHome(async ({ dir, run }) => {
    const [agent] = run("a");
    await lockDisks(["data"], dir("a"));
    agent.kill("SIGKILL");
    await agent.status;
    await assert.rejects(
      lockDisks(["data"], dir("b")),
      /in use by instance `a`/,
    );
  }));

Deno.test("a lock left by an instance that runs nothing any more is taken over", () =>
  withHome(async ({ dir, run }) => {
    const processes = run("a");
    await lockDisks(["data"], dir("a"));
    for (const p of processes) {
      p.kill("SIGKILL");
      await p.status;
    }
    const b = await lockDisks(["data"], dir("b"));
    assert.equal(await holder("data"), "b");
    await b[Symbol.asyncDispose]();
    assert.equal(await holder("data"), "");
    // The instance's own lock from an earlier run, and one of a deleted instance.
    await Deno.symlink(dir("b"), `${dir("_disks")}/data/in_use_by`);
    await lockDisks(["data"], dir("b"));
    await Deno.remove(dir("b"), { recursive: true });
    await lockDisks(["data"], dir("a"));
    assert.equal(await holder("data"), "a");
  }));

Deno.test("releasing leaves a lock alone that another instance has taken meanwhile", () =>
  withHome(async ({ dir }) => {
    const a = await lockDisks(["data"], dir("a"));
    await lockDisks(["data"], dir("b"));
    await a[Symbol.asyncDispose]();
    assert.equal(await holder("data"), "b");
  }));

Deno.test("a missing disk refuses the start, naming it", () =>
  withHome(async ({ dir }) => {
    await assert.rejects(
      lockDisks(["data", "nosuch"], dir("a")),
      /failed to run load disk `nosuch`/,
    );
    assert.equal(await holder("data"), "");
  }));
