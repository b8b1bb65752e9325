/**
 * `create`, `clone`, `start` (its image copy) and `start` downloading its image are killed with
 * SIGKILL at random moments, at least 22 times in all. Afterwards every lima.yaml parses, `list`
 * answers, the interrupted commands succeed when run again, `prune` leaves no temporary
 * behind, and the cached image is the served one byte for byte. No VM boots: the instances
 * name a missing containerd archive, which `start` fetches right after the disk is made, so
 * a `start` that gets that far has done all this test is about and stops there.
 * The delays come from a seeded generator; `KILL_SEED=N` repeats a run.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { cacheEntryDir } from "../../core/download/cache_dir.ts";
import { startServer } from "../fixtures/http_server.ts";
import { limactlExpect, type RunOptions, tempLimaHome } from "./helpers.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const MiB = 1 << 20;
/** What any command of ours or Lima's leaves behind when it is killed. */
const TEMPORARY = /\.tmp(\.|$)|^\.deleted-|^data\.part/;
const ARCHIVE_MISSING = /failed to download the nerdctl archive/;

/** mulberry32: small, seedable, good enough for picking delays. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes SIZE bytes of varied content to PATH; returns their SHA-256. */
async function writeImage(path: string, size: number): Promise<string> {
  const next = random(size);
  const block = new Uint8Array(MiB);
  const words = new Uint32Array(block.buffer);
  for (let i = 0; i < words.length; i++) words[i] = next() * 2 ** 32;
  const hash = createHash("sha256");
  const file = await Deno.open(path, { write: true, create: true });
  for (let off = 0; off < size; off += MiB) {
    words[0] = off;
    hash.update(block);
    await file.write(block);
  }
  file.close();
  return hash.digest("hex");
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of (await Deno.open(path)).readable) {
    hash.update(chunk);
  }
  return hash.digest("hex");
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

/** Every path under DIR whose name is a temporary's. */
async function temporariesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (TEMPORARY.test(e.name)) found.push(path);
    else if (e.isDirectory) found.push(...await temporariesUnder(path));
  }
  return found;
}

Deno.test("commands killed at random moments leave nothing behind and break nothing", async () => {
  const seed = Number(Deno.env.get("KILL_SEED") ?? Date.now() % 2 ** 31);
  console.log(`kill test seed: ${seed} (KILL_SEED=${seed} repeats it)`);
  const rand = random(seed);
  const limaHome = await tempLimaHome();
  const work = await Deno.makeTempDir();
  const server = startServer();
  const env = { XDG_CACHE_HOME: join(work, "cache") };
  const opts: RunOptions = { limaHome, env };
  const expect = (code: number, ...args: string[]) =>
    limactlExpect(code, args, opts);
  /** Runs `limactl ARGS`, SIGKILLs it once WHEN resolves; true when it was still running then. */
  const killedWhen = async (when: Promise<unknown>, ...args: string[]) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...args],
      env: { LIMA_HOME: limaHome, ...env },
      cwd: limaHome,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await when;
    try {
      child.kill("SIGKILL");
    } catch {
      // It had exited.
    }
    return (await child.status).signal === "SIGKILL";
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const killed = (delay: number, ...args: string[]) =>
    killedWhen(sleep(delay), ...args);
  const timed = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  const kills: Record<string, number> = {};
  /** Kills ARGS at random points until WANTED kills landed; AFTER runs after each attempt. */
  const killRepeatedly = async (
    kind: string,
    wanted: number,
    maxDelay: number,
    args: (i: number) => string[],
    after: (i: number) => Promise<void>,
  ) => {
    kills[kind] = 0;
    for (let i = 0; kills[kind] < wanted; i++) {
      assert.ok(i < wanted * 6, `${kind}: too few kills landed`);
      if (await killed(rand() * maxDelay, ...args(i))) kills[kind]++;
      await after(i);
    }
  };

  try {
    const image = join(work, "image.raw");
    const imageSum = await writeImage(image, 128 * MiB);
    const served = join(work, "served.raw");
    const servedSum = await writeImage(served, 24 * MiB);
    server.route("/served.raw", {
      body: { file: served },
      etag: '"v1"',
      lastModified: "Mon, 01 Jan 2024 00:00:00 GMT",
      ranges: true,
      chunkSize: 128 * 1024,
      chunkDelayMs: 15,
    });
    const url = server.url("/served.raw");
    // A missing containerd archive stops `start` after the disk is made, before any boot.
    const template = (location: string, digest: string, size: string) => {
      const path = join(work, `${size}.yaml`);
      Deno.writeTextFileSync(
        path,
        `images: [{location: "${location}", digest: "sha256:${digest}"}]\n` +
          `disk: ${size}\n` +
          `containerd: {user: true, archives: [{location: "${
            join(work, "missing.tgz")
          }"}]}\n`,
      );
      return path;
    };
    const local = template(image, imageSum, "128MiB");
    const remote = template(url, servedSum, "24MiB");
    const startReachesArchive = async (name: string) =>
      assert.match((await expect(1, "start", name)).stderr, ARCHIVE_MISSING);

    // create (timed after the first, which also makes the user's SSH key)
    await expect(0, "create", "--name", "probe", local);
    const createTime = await timed(() =>
      expect(0, "create", "--name", "timed", local)
    );
    await killRepeatedly(
      "create",
      6,
      createTime,
      (i) => ["create", "--name", `c${i}`, local],
      async (i) => {
        if (!await exists(join(limaHome, `c${i}`, "lima.yaml"))) {
          await expect(0, "create", "--name", `c${i}`, local);
        }
      },
    );

    // clone: the source has a 128 MiB disk to copy.
    await expect(0, "create", "--name", "src", local);
    await Deno.copyFile(image, join(limaHome, "src", "disk"));
    // Timed once the source is in the page cache, as it is for the clones that follow.
    await expect(0, "clone", "src", "k");
    await expect(0, "delete", "k");
    const cloneTime = await timed(() => expect(0, "clone", "src", "k"));
    await expect(0, "delete", "k");
    await killRepeatedly(
      "clone",
      6,
      cloneTime,
      (i) => ["clone", "src", `k${i}`],
      async (i) => {
        if (!await exists(join(limaHome, `k${i}`))) {
          await expect(0, "clone", "src", `k${i}`);
        }
        assert.equal(await sha256(join(limaHome, `k${i}`, "disk")), imageSum);
        await expect(0, "delete", `k${i}`);
      },
    );

    // start: the image is copied (and its digest checked) into the instance directory.
    const startTime = await timed(() => startReachesArchive("probe"));
    await expect(0, "create", "--name", "s", local);
    const staleIn = async (name: string) =>
      (await Array.fromAsync(Deno.readDir(join(limaHome, name))))
        .filter((e) => TEMPORARY.test(e.name)).length;
    await killRepeatedly(
      "start",
      5,
      startTime,
      () => ["start", "s"],
      async () => {
        // Each start removes what the one killed before it left.
        assert.ok(await staleIn("s") <= 1, "stale temporaries piled up in s");
        if (await exists(join(limaHome, "s", "disk"))) {
          await expect(0, "factory-reset", "s");
        }
      },
    );

    // start downloading its image from a slow server (it resumes where the last one stopped).
    await expect(0, "create", "--name", "d", remote);
    await killRepeatedly(
      "download",
      5,
      3500,
      () => ["start", "d"],
      async () => {
        assert.ok(await staleIn("d") <= 1, "stale temporaries piled up in d");
        if (await exists(join(limaHome, "d", "disk"))) {
          await expect(0, "factory-reset", "d");
          await expect(0, "prune");
        }
      },
    );
    const total = Object.values(kills).reduce((a, b) => a + b, 0);
    console.log(`kills: ${JSON.stringify(kills)}, ${total} in all`);
    assert.ok(total >= 20);

    // Every lima.yaml parses and `list` answers.
    const names: string[] = [];
    for await (const e of Deno.readDir(limaHome)) {
      if (!e.isDirectory || /^[._]/.test(e.name)) continue;
      names.push(e.name);
      const yaml = parse(
        await Deno.readTextFile(join(limaHome, e.name, "lima.yaml")),
      );
      assert.ok(yaml && typeof yaml === "object", e.name);
    }
    const listed = (await expect(0, "list", "--json")).stdout.trim().split("\n")
      .map((line) => JSON.parse(line).name);
    assert.deepEqual(listed.sort(), names.sort());

    // The next commands succeed: each start gets as far as it can without booting.
    await startReachesArchive("s");
    assert.equal(await sha256(join(limaHome, "s", "disk")), imageSum);
    await startReachesArchive("d");
    assert.equal(await sha256(join(limaHome, "d", "disk")), servedSum);
    await expect(0, "clone", "s", "s2");

    // A clone killed in the middle of its copy, with no command on that name after it.
    const copying = async () => {
      for (;;) {
        const names = (await Array.fromAsync(Deno.readDir(limaHome))).map((e) =>
          e.name
        );
        // Too late if the clone is complete: the assertion below says so.
        if (names.includes("late")) return;
        if (names.some((n) => n.startsWith(".late."))) return await sleep(20);
        await sleep(5);
      }
    };
    assert.ok(await killedWhen(copying(), "clone", "src", "late"));

    // Nothing is left behind after prune, and the cached image is the served one.
    assert.notDeepEqual(await temporariesUnder(limaHome), []);
    await expect(0, "prune", "--keep-referred");
    const leftovers = [
      ...await temporariesUnder(limaHome),
      ...await temporariesUnder(join(work, "cache")),
    ];
    assert.deepEqual(leftovers, []);
    const cached = join(
      cacheEntryDir(url, join(work, "cache", "lima")),
      "data",
    );
    assert.equal(await sha256(cached), servedSum);
  } finally {
    await server.close();
    await Deno.remove(limaHome, { recursive: true });
    await Deno.remove(work, { recursive: true });
  }
});
