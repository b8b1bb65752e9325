import assert from "node:assert/strict";
import { CONFIG_CACHE_FILE, loadConfigCached } from "./config_cache.ts";
import "../../tests/use_builtin_drivers.ts";

Deno.test("the cached configuration is used until lima.yaml changes", async () => {
  const home = await Deno.makeTempDir({ prefix: "lima-" });
  const previous = Deno.env.get("LIMA_HOME");
  Deno.env.set("LIMA_HOME", home);
  try {
    const instDir = `${home}/foo`;
    await Deno.mkdir(instDir);
    await Deno.writeTextFile(
      `${instDir}/lima.yaml`,
      "images: [{location: /etc/profile}]\ncpus: 2\n",
    );
    await Deno.writeTextFile(`${instDir}/lima-version`, "2.2.0");
    assert.equal((await loadConfigCached({ instDir, name: "foo" })).cpus, 2);

    // Tamper with the cached result: it is what the next load returns, proving the cache is read.
    const cacheFile = `${instDir}/${CONFIG_CACHE_FILE}`;
    const entry = JSON.parse(await Deno.readTextFile(cacheFile));
    entry.config.cpus = 99;
    await Deno.writeTextFile(cacheFile, JSON.stringify(entry));
    assert.equal((await loadConfigCached({ instDir, name: "foo" })).cpus, 99);

    await Deno.writeTextFile(
      `${instDir}/lima.yaml`,
      "images: [{location: /etc/profile}]\ncpus: 3\n",
    );
    assert.equal((await loadConfigCached({ instDir, name: "foo" })).cpus, 3);

    // A cache written for another directory (a clone or rename) is not trusted.
    await Deno.mkdir(`${home}/bar`);
    await Deno.copyFile(`${instDir}/lima.yaml`, `${home}/bar/lima.yaml`);
    const moved = JSON.parse(await Deno.readTextFile(cacheFile));
    moved.config.cpus = 42;
    await Deno.writeTextFile(
      `${home}/bar/${CONFIG_CACHE_FILE}`,
      JSON.stringify(moved),
    );
    assert.equal(
      (await loadConfigCached({ instDir: `${home}/bar`, name: "bar" })).cpus,
      3,
    );

    // A corrupt cache file is ignored and replaced.
    await Deno.writeTextFile(cacheFile, "{not json");
    assert.equal((await loadConfigCached({ instDir, name: "foo" })).cpus, 3);
    assert.equal(JSON.parse(await Deno.readTextFile(cacheFile)).config.cpus, 3);
  } finally {
    if (previous === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", previous);
    await Deno.remove(home, { recursive: true });
  }
});
