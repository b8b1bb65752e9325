/** What killed commands leave behind goes with `prune`; deleting a symlinked instance keeps its target. */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  assertInfo,
  createDummyInstance,
  limactlExpect,
  tempLimaHome,
} from "./helpers.ts";
import { downloadCacheRoot } from "../../core/download/cache_dir.ts";
import { exists } from "../../core/exists.ts";
import { processStartTime } from "../../core/store/temporary.ts";
import { isProcessAlive } from "../../core/store/pid_file.ts";

Deno.test("delete of a symlinked instance removes the link and leaves the target's files", async () => {
  const limaHome = await tempLimaHome();
  const elsewhere = await Deno.makeTempDir();
  try {
    await createDummyInstance("linked", { limaHome });
    const target = join(elsewhere, "linked");
    await Deno.rename(join(limaHome, "linked"), target);
    await Deno.symlink(target, join(limaHome, "linked"));
    const files = ["lima.yaml", "disk", "notes.tmp", "serial.sock"];
    for (const f of files.slice(1)) {
      await Deno.writeTextFile(join(target, f), f);
    }

    const r = await limactlExpect(0, ["delete", "linked"], { limaHome });
    assertInfo(r.stderr, `Deleted \`linked\` (\`${limaHome}/linked\`)`);
    assert.equal(await exists(join(limaHome, "linked")), false);
    for (const f of files) {
      assert.ok(await exists(join(target, f)), `${f} was removed`);
    }
    assert.equal(
      await Deno.readTextFile(join(target, "notes.tmp")),
      "notes.tmp",
    );
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(limaHome))).map((e) => e.name)
        .sort(),
      ["_config", "_locks"],
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});

Deno.test("delete --force of a link to a running instance stops nothing of the target", async () => {
  const limaHome = await tempLimaHome();
  const hostAgent = new Deno.Command("sleep", { args: ["60"] }).spawn();
  try {
    await createDummyInstance("real", { limaHome });
    await Deno.symlink(join(limaHome, "real"), join(limaHome, "alias"));
    await Deno.writeTextFile(
      join(limaHome, "real", "ha.pid"),
      `${hostAgent.pid}\n`,
    );

    const r = await limactlExpect(0, ["delete", "--force", "alias"], {
      limaHome,
    });
    assert.ok(!r.stderr.includes("SIGKILL"), r.stderr);
    assert.equal(await exists(join(limaHome, "alias")), false);
    assert.ok(await exists(join(limaHome, "real", "ha.pid")));
    assert.ok(isProcessAlive(hostAgent.pid));
  } finally {
    try {
      hostAgent.kill("SIGKILL");
    } catch {
      // Already killed, by the delete under test.
    }
    await hostAgent.status;
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("prune removes the temporaries of dead processes and keeps those of live ones", async () => {
  const limaHome = await tempLimaHome();
  const cache = await Deno.makeTempDir();
  const live = new Deno.Command("sleep", { args: ["60"] }).spawn();
  const exited = new Deno.Command("true").spawn();
  await exited.status;
  try {
    const start = processStartTime(live.pid);
    const liveOwner = start ? `${live.pid}-${start}` : `${live.pid}`;
    const deadOwner = `${exited.pid}`;
    await createDummyInstance("vm", { limaHome });
    const entry = join(downloadCacheRoot(join(cache, "lima")), "0123");
    await Deno.mkdir(entry, { recursive: true });
    await Deno.mkdir(join(limaHome, "_disks"));
    const place = async (dir: string, name: string, isDir = false) => {
      const path = join(dir, name);
      if (isDir) {
        await Deno.mkdir(path);
        await Deno.writeFile(join(path, "disk"), new Uint8Array(4096));
      } else await Deno.writeFile(path, new Uint8Array(4096));
      return path;
    };
    const dead = [
      await place(limaHome, `.copy.${deadOwner}.0123abcd.tmp`, true),
      await place(join(limaHome, "vm"), `.image.${deadOwner}.0123abcd.tmp`),
      // Left by earlier versions, and by Lima itself.
      await place(join(limaHome, "vm"), `.image.tmp.${deadOwner}.0123abcd`),
      await place(join(limaHome, "vm"), `image.tmp.${deadOwner}`),
      await place(
        join(limaHome, "_config"),
        `.networks.yaml.${deadOwner}.0123abcd.tmp`,
      ),
      await place(
        join(limaHome, "_disks"),
        `.d.${deadOwner}.0123abcd.tmp`,
        true,
      ),
      await place(entry, `data.tmp.${deadOwner}`),
    ];
    const kept = [
      await place(limaHome, `.copy.${liveOwner}.0123abcd.tmp`, true),
      await place(join(limaHome, "vm"), `.image.${liveOwner}.0123abcd.tmp`),
      await place(
        join(limaHome, "_disks"),
        `.d.${liveOwner}.0123abcd.tmp`,
        true,
      ),
      join(limaHome, "vm", "lima.yaml"),
      // A user's file in the shape of Lima's temporaries, not named after a file Lima downloads.
      await place(join(limaHome, "vm"), `backup.tmp.${deadOwner}`),
    ];

    await limactlExpect(0, ["prune", "--keep-referred"], {
      limaHome,
      env: { XDG_CACHE_HOME: cache },
    });
    for (const path of dead) assert.equal(await exists(path), false, path);
    for (const path of kept) assert.ok(await exists(path), path);
  } finally {
    live.kill("SIGKILL");
    await live.status;
    await Deno.remove(limaHome, { recursive: true });
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("clone carries no temporaries, not even those of a running download", async () => {
  const limaHome = await tempLimaHome();
  const live = new Deno.Command("sleep", { args: ["60"] }).spawn();
  try {
    await createDummyInstance("vm", { limaHome });
    // Names of this version and of earlier ones.
    const temporaries = [
      `.image.${live.pid}.0123abcd.tmp`,
      `.image.tmp.${live.pid}.0123abcd`,
      `image.tmp.${live.pid}`,
    ];
    for (const name of temporaries) {
      await Deno.writeFile(join(limaHome, "vm", name), new Uint8Array(4096));
    }
    await limactlExpect(0, ["clone", "vm", "copy"], { limaHome });
    for (const name of temporaries) {
      assert.ok(await exists(join(limaHome, "vm", name)), name);
      assert.equal(await exists(join(limaHome, "copy", name)), false, name);
    }
  } finally {
    live.kill("SIGKILL");
    await live.status;
    await Deno.remove(limaHome, { recursive: true });
  }
});
