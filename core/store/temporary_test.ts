import assert from "node:assert/strict";
import { join } from "node:path";
import {
  isTemporaryName,
  OWNERLESS_MAX_AGE_MS,
  processStartTime,
  removeStaleTemporaries,
  temporaryOwner,
  temporaryPath,
} from "./temporary.ts";

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

async function exitedPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("temporary names carry this process's PID and start time", () => {
  const path = temporaryPath("/some/dir", "image");
  const name = path.slice("/some/dir/".length);
  assert.match(name, /^\.image\.\d+(-\d+)?\.[0-9a-f]{8}\.tmp$/);
  assert.deepEqual(temporaryOwner(name), {
    pid: Deno.pid,
    start: processStartTime(Deno.pid),
  });
  assert.equal(temporaryOwner("lima.yaml"), undefined);
  assert.deepEqual(temporaryOwner("data.tmp.42"), {
    pid: 42,
    start: undefined,
  });
  assert.deepEqual(temporaryOwner(".image.tmp.42.0123abcd"), {
    pid: 42,
    start: undefined,
  });
  // Lima's current names count the temporaries of one process.
  assert.deepEqual(temporaryOwner("basedisk.tmp.42.3"), {
    pid: 42,
    start: undefined,
  });
});

Deno.test("only the files Lima downloads have temporaries named <file>.tmp.<pid>", () => {
  for (const name of ["data", "image", "basedisk", "kernel", "initrd"]) {
    assert.equal(temporaryOwner(`${name}.tmp.42`)?.pid, 42, name);
  }
  for (
    const name of [
      "backup.tmp.4000000",
      "notes.tmp.42",
      "xdata.tmp.42",
      "data.tmp.42x",
      "image.tmp.",
    ]
  ) {
    assert.equal(temporaryOwner(name), undefined, name);
    assert.equal(isTemporaryName(name), false, name);
  }
});

Deno.test("the sweep keeps the temporaries of live processes and removes those of dead ones", async () => {
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const live = `${child.pid}${
      processStartTime(child.pid) ? `-${processStartTime(child.pid)}` : ""
    }`;
    const dead = await exitedPid();
    await Deno.mkdir(join(dir, `.clone.${live}.0123abcd.tmp`));
    await Deno.writeTextFile(join(dir, `.clone.${live}.0123abcd.tmp/f`), "x");
    await Deno.mkdir(join(dir, `.clone.${dead}.0123abcd.tmp`));
    await Deno.writeTextFile(join(dir, `.clone.${dead}.0123abcd.tmp/f`), "x");
    const mine = temporaryPath(dir, "mine");
    await Deno.writeTextFile(mine, "");
    await Deno.writeTextFile(join(dir, `.image.tmp.${dead}.0123abcd`), "");
    await Deno.writeTextFile(join(dir, `data.tmp.${dead}`), "");
    // A user's file of that shape, and an instance directory whose name is one of Lima's
    // temporaries, are never touched.
    await Deno.writeTextFile(join(dir, `backup.tmp.${dead}`), "");
    await Deno.mkdir(join(dir, `image.tmp.${dead}`));
    await Deno.writeTextFile(join(dir, "lima.yaml"), "");

    const removed = await removeStaleTemporaries(dir);
    assert.deepEqual(removed.map((p) => p.slice(dir.length + 1)).sort(), [
      `.clone.${dead}.0123abcd.tmp`,
      `.image.tmp.${dead}.0123abcd`,
      `data.tmp.${dead}`,
    ]);
    assert.deepEqual(
      await names(dir),
      [
        `.clone.${live}.0123abcd.tmp`,
        mine.slice(dir.length + 1),
        "lima.yaml",
        `backup.tmp.${dead}`,
        `image.tmp.${dead}`,
      ].sort(),
    );

    child.kill("SIGKILL");
    await child.status;
    assert.deepEqual(
      (await removeStaleTemporaries(dir)).map((p) => p.slice(dir.length + 1)),
      [`.clone.${live}.0123abcd.tmp`],
    );
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already killed.
    }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a live PID with another start time is a reused PID: its temporary goes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const start = processStartTime(Deno.pid);
    // Where start times are unknown (not Linux) the PID alone decides.
    const token = start ? `${Deno.pid}-${Number(start) - 1}` : `${Deno.pid}`;
    await Deno.writeTextFile(join(dir, `.x.${token}.0123abcd.tmp`), "");
    assert.equal((await removeStaleTemporaries(dir)).length, start ? 1 : 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("temporaries that name no owner go only after a day", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const old = new Date(Date.now() - OWNERLESS_MAX_AGE_MS - 60_000);
    for (const name of [".a.0123abcd.tmp", ".deleted-0123abcd"]) {
      await Deno.mkdir(join(dir, name));
      await Deno.utime(join(dir, name), old, old);
    }
    await Deno.mkdir(join(dir, ".b.0123abcd.tmp"));
    await removeStaleTemporaries(dir);
    assert.deepEqual(await names(dir), [".b.0123abcd.tmp"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
