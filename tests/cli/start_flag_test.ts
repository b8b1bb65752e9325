/**
 * `--start` of `edit`, `clone`, `rename` and `shell` (Lima 2.x): given, the instance is started
 * after the command; not given and without a terminal, it is not. The instance's image does not
 * exist, so a start shows itself by failing to download it (starting for real is covered in
 * tests/e2e/lifecycle_test.ts).
 */
import assert from "node:assert/strict";
import {
  createDummyInstance,
  limactlExpect,
  onTerminal,
  type RunOptions,
  tempLimaHome,
} from "./helpers.ts";

const UNBOOTABLE = "{images: [{location: /nonexistent/image.qcow2}]}";
const STARTED = /failed to download the image/;

async function withInstance(
  fn: (opts: RunOptions) => Promise<void>,
): Promise<void> {
  const limaHome = await tempLimaHome();
  try {
    const opts = { limaHome };
    await createDummyInstance("foo", { ...opts, yaml: UNBOOTABLE });
    await fn(opts);
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
}

for (const command of ["clone", "rename"]) {
  Deno.test(`${command} --start starts the new instance; without it, nothing starts`, () =>
    withInstance(async (opts) => {
      const plain = await limactlExpect(0, [command, "foo", "bar"], opts);
      assert.doesNotMatch(plain.stderr, STARTED);
      const started = await limactlExpect(
        1,
        [command, "--start", "bar", "baz"],
        opts,
      );
      assert.match(started.stderr, STARTED);
      await Deno.stat(`${opts.limaHome}/baz/lima.yaml`);
    }));
}

Deno.test("edit --start starts the edited instance; without it, nothing starts", () =>
  withInstance(async (opts) => {
    const plain = await limactlExpect(
      0,
      ["edit", "--set", ".cpus = 1", "foo"],
      opts,
    );
    assert.doesNotMatch(plain.stderr, STARTED);
    const started = await limactlExpect(
      1,
      ["edit", "--start", "--set", ".cpus = 2", "foo"],
      opts,
    );
    assert.match(started.stderr, STARTED);
  }));

Deno.test("shell --start starts a stopped instance; without it, shell says how to start it", () =>
  withInstance(async (opts) => {
    const refused = await limactlExpect(1, ["shell", "foo", "true"], opts);
    assert.match(refused.stderr, /is stopped, run `limactl start foo`/);
    const started = await limactlExpect(
      1,
      ["shell", "--start", "foo", "true"],
      opts,
    );
    assert.match(started.stderr, STARTED);
  }));

Deno.test("on a terminal, clone asks whether to start the instance, yes by default", () =>
  withInstance(async (opts) => {
    const no = await onTerminal(["clone", "foo", "bar"], {
      ...opts,
      answer: "n\n",
    });
    assert.equal(no.code, 0, no.stdout);
    assert.match(no.stdout, /Do you want to start the instance now\?/);
    assert.doesNotMatch(no.stdout, STARTED);
    const yes = await onTerminal(["clone", "foo", "baz"], {
      ...opts,
      answer: "\n",
    });
    assert.equal(yes.code, 1, yes.stdout);
    assert.match(yes.stdout, STARTED);
  }));
