import assert from "node:assert/strict";
import { join } from "node:path";
import { LimaError } from "../errors.ts";
import { configDir, instanceDir, joinPath, limaHome, SEP } from "./paths.ts";

/** Runs FN with the environment variables in VARS set (undefined: unset), then restores them. */
function withEnv(vars: Record<string, string | undefined>, fn: () => void) {
  const saved = Object.fromEntries(
    Object.keys(vars).map((k) => [k, Deno.env.get(k)]),
  );
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  };
  apply(vars);
  try {
    fn();
  } finally {
    apply(saved);
  }
}

Deno.test("joinPath joins plain names as node:path would", () => {
  for (
    const [dir, names] of [
      ["/home/me", [".lima"]],
      ["/home/me/", [".lima"]],
      ["/", ["x"]],
      ["/a", ["b", "c.yaml"]],
    ] as const
  ) {
    assert.equal(joinPath(dir, ...names), join(dir, ...names));
  }
  assert.equal(joinPath("/a/"), "/a");
  assert.equal(joinPath("base", "name"), `base${SEP}name`);
});

Deno.test("LIMA_HOME is resolved through symlinks when it exists", () => {
  const dir = Deno.realPathSync(Deno.makeTempDirSync());
  try {
    Deno.mkdirSync(join(dir, "real"));
    Deno.symlinkSync(join(dir, "real"), join(dir, "link"));
    withEnv({ LIMA_HOME: join(dir, "link") + "/" }, () => {
      assert.equal(limaHome(), join(dir, "real"));
      assert.equal(instanceDir("default"), join(dir, "real", "default"));
      assert.equal(configDir(), join(dir, "real", "_config"));
    });
    withEnv({ LIMA_HOME: join(dir, "missing") }, () => {
      assert.equal(limaHome(), join(dir, "missing"));
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("without LIMA_HOME the store is ~/.lima, and a missing home is an error", () => {
  const home = Deno.realPathSync(Deno.makeTempDirSync());
  try {
    withEnv({ LIMA_HOME: undefined, HOME: home + "/" }, () => {
      assert.equal(limaHome(), join(home, ".lima"));
    });
    withEnv({ LIMA_HOME: "", HOME: undefined }, () => {
      assert.throws(() => limaHome(), (err) => {
        assert.ok(err instanceof LimaError);
        assert.match(err.message, /home directory.*HOME is not set/);
        return true;
      });
    });
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});
