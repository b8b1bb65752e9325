import assert from "node:assert/strict";
import { join } from "node:path";
import { LimaError } from "../errors.ts";
import { existingLimaVersion, loadInstanceConfig } from "./load.ts";
import { builtinDefaultVMType } from "../../drivers/default_vm_type.ts";

/** What the entry point supplies: the built-in drivers' default `vmType`. */
const defaults = { defaultVMType: builtinDefaultVMType };

async function withLimaHome(fn: (home: string) => Promise<void>) {
  const home = await Deno.makeTempDir({ prefix: "lima-home-" });
  const previous = Deno.env.get("LIMA_HOME");
  Deno.env.set("LIMA_HOME", home);
  try {
    await Deno.mkdir(join(home, "_config"));
    await fn(await Deno.realPath(home));
  } finally {
    if (previous === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", previous);
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("loadInstanceConfig merges _config/default.yaml and override.yaml into lima.yaml", async () => {
  await withLimaHome(async (home) => {
    const instDir = join(home, "dev");
    await Deno.mkdir(instDir);
    await Deno.writeTextFile(
      join(instDir, "lima.yaml"),
      "cpus: 2\nmemory: 2GiB\nenv: {A: y}\n",
    );
    await Deno.writeTextFile(join(instDir, "lima-version"), "2.0.0\n");
    await Deno.writeTextFile(
      join(home, "_config", "default.yaml"),
      "cpus: 3\ndisk: 20GiB\nenv: {A: d, B: d}\n",
    );
    await Deno.writeTextFile(
      join(home, "_config", "override.yaml"),
      "memory: 1GiB\n",
    );
    const y = await loadInstanceConfig({
      ...defaults,
      instDir,
      name: "dev",
      warn: () => {},
    });
    assert.equal(y.cpus, 2);
    assert.equal(y.memory, "1GiB");
    assert.equal(y.disk, "20GiB");
    assert.deepEqual(y.env, { A: "y", B: "d" });
    assert.match(
      y.user!.home!,
      /\.linux$/,
      "created by Lima 2.0 keeps the old home",
    );
  });
});

Deno.test("loadInstanceConfig takes text instead of the instance file", async () => {
  await withLimaHome(async (home) => {
    const y = await loadInstanceConfig({
      ...defaults,
      instDir: join(home, "new"),
      name: "new",
      text: "cpus: 1\n",
      warn: () => {},
    });
    assert.equal(y.cpus, 1);
    assert.match(y.user!.home!, /\.guest$/);
  });
});

Deno.test("loadInstanceConfig names the broken file", async () => {
  await withLimaHome(async (home) => {
    await Deno.writeTextFile(
      join(home, "_config", "override.yaml"),
      "cpus: [\n",
    );
    await assert.rejects(
      loadInstanceConfig({
        ...defaults,
        instDir: join(home, "x"),
        name: "x",
        text: "",
      }),
      (err: unknown) =>
        err instanceof LimaError &&
        /failed to unmarshal YAML \(override file `.*override\.yaml`\)/.test(
          err.message,
        ),
    );
    await assert.rejects(
      loadInstanceConfig({
        ...defaults,
        instDir: join(home, "x"),
        name: "x",
        text: "cpus: x\n",
        file: "/t/x.yaml",
      }),
      /failed to unmarshal YAML \(main file `\/t\/x\.yaml`\): line 1: field `cpus` must be an integer/,
    );
  });
});

Deno.test("loadInstanceConfig fails on a param nothing uses", async () => {
  await withLimaHome(async (home) => {
    await assert.rejects(
      loadInstanceConfig({
        ...defaults,
        instDir: join(home, "x"),
        name: "x",
        text: "param: {Unused: 1}\n",
      }),
      /field `param` key `Unused` is not used/,
    );
  });
});

Deno.test("loadInstanceConfig reports a missing lima.yaml", async () => {
  await withLimaHome(async (home) => {
    await assert.rejects(
      loadInstanceConfig({
        ...defaults,
        instDir: join(home, "gone"),
        name: "gone",
      }),
      /failed to read `.*lima\.yaml`/,
    );
  });
});

Deno.test("existingLimaVersion tells new, old and versioned instances apart", async () => {
  const dir = await Deno.makeTempDir();
  assert.equal(await existingLimaVersion(dir), undefined);
  await Deno.writeTextFile(join(dir, "lima.yaml"), "");
  assert.equal(await existingLimaVersion(dir), "");
  await Deno.writeTextFile(join(dir, "lima-version"), "1.2.3\n");
  assert.equal(await existingLimaVersion(dir), "1.2.3");
  await Deno.remove(dir, { recursive: true });
});
