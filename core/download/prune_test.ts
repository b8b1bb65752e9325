import assert from "node:assert/strict";
import { join } from "node:path";
import { locationsInConfig, prune, referredLocations } from "./prune.ts";
import { cacheEntryDir } from "./cache_dir.ts";
import { LimaError } from "../errors.ts";
import { withTimeout } from "../timeout.ts";

async function fakeEntry(
  cache: string,
  url: string,
  extra: string[] = [],
): Promise<string> {
  const dir = cacheEntryDir(url, cache);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "url"), url);
  await Deno.writeTextFile(join(dir, "data"), "bytes");
  for (const name of extra) {
    await Deno.writeTextFile(join(dir, name), "partial");
  }
  return dir;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("prune without --keep-referred removes the whole cache directory", async () => {
  const dir = await Deno.makeTempDir();
  const cache = join(dir, "lima");
  await fakeEntry(cache, "https://example.com/a.img");
  await prune({ keepReferred: false, cacheDir: cache });
  assert.equal(await exists(cache), false);
  await prune({ keepReferred: false, cacheDir: cache });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("prune --keep-referred keeps referred entries, drops their partial files and the rest", async () => {
  const dir = await Deno.makeTempDir();
  const cache = join(dir, "lima");
  const kept = await fakeEntry(cache, "https://example.com/kept.img", [
    "data.part",
    "data.part.validator",
    "data.tmp.123",
  ]);
  const dropped = await fakeEntry(cache, "https://example.com/old.img");
  await prune({
    keepReferred: true,
    cacheDir: cache,
    referredLocations: () =>
      Promise.resolve(["https://example.com/kept.img", "/local/path.img"]),
  });
  assert.equal(await exists(dropped), false);
  assert.deepEqual(
    (await Array.fromAsync(Deno.readDir(kept))).map((e) => e.name).sort(),
    ["data", "url"],
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("locationsInConfig collects images, kernels, initrds, archives and firmware", () => {
  const config = {
    images: [
      {
        location: "https://x/a.img",
        kernel: { location: "https://x/vmlinuz" },
        initrd: { location: "https://x/initrd" },
      },
      { location: "https://x/b.img" },
    ],
    containerd: { archives: [{ location: "https://x/nerdctl.tar.gz" }] },
    firmware: { images: [{ location: "https://x/edk2.fd.gz" }] },
    mounts: [{ location: "~" }],
  };
  assert.deepEqual(locationsInConfig(config).sort(), [
    "https://x/a.img",
    "https://x/b.img",
    "https://x/edk2.fd.gz",
    "https://x/initrd",
    "https://x/nerdctl.tar.gz",
    "https://x/vmlinuz",
  ]);
  assert.deepEqual(locationsInConfig(null), []);
});

Deno.test("referredLocations reads every instance and user template, and refuses an unreadable instance", async () => {
  const home = await Deno.makeTempDir();
  const previous = Deno.env.get("LIMA_HOME");
  Deno.env.set("LIMA_HOME", home);
  try {
    await Deno.mkdir(join(home, "one"));
    await Deno.writeTextFile(
      join(home, "one", "lima.yaml"),
      "images:\n- location: https://x/one.img\n",
    );
    await Deno.mkdir(join(home, "_templates", "sub"), { recursive: true });
    await Deno.writeTextFile(
      join(home, "_templates", "sub", "t.yaml"),
      "images:\n- location: https://x/t.img\n",
    );
    await Deno.mkdir(join(home, "_config"));
    assert.deepEqual((await referredLocations()).sort(), [
      "https://x/one.img",
      "https://x/t.img",
    ]);

    // A hostile lima.yaml (a FIFO nobody writes, nesting too deep) is refused at once.
    await Deno.mkdir(join(home, "fifo"));
    const mkfifo = new Deno.Command("mkfifo", {
      args: [join(home, "fifo", "lima.yaml")],
    });
    assert.equal((await mkfifo.output()).code, 0);
    await assert.rejects(
      withTimeout(referredLocations(), 5_000, () => {
        throw new Error("referredLocations hung on a FIFO");
      }),
      /cannot safely prune while instance `fifo`/,
    );
    await Deno.remove(join(home, "fifo"), { recursive: true });
    await Deno.mkdir(join(home, "deep"));
    await Deno.writeTextFile(join(home, "deep", "lima.yaml"), "[".repeat(1e6));
    await assert.rejects(
      referredLocations(),
      /cannot safely prune while instance `deep`.*nested more than 100 levels/s,
    );
    await Deno.remove(join(home, "deep"), { recursive: true });

    await Deno.mkdir(join(home, "broken"));
    await assert.rejects(
      referredLocations(),
      (err: unknown) =>
        err instanceof LimaError &&
        err.message.includes("cannot safely prune while instance `broken`"),
    );
  } finally {
    if (previous === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", previous);
    await Deno.remove(home, { recursive: true });
  }
});
