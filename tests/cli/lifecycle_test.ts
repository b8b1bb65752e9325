/** `create`, `edit`, `clone`, `rename`, `delete` and `factory-reset` on dummy instances. */
import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  assertFatal,
  assertInfo,
  createDummyInstance,
  limactl,
  limactlExpect,
  type RunOptions,
  tempLimaHome,
} from "./helpers.ts";
import { exists } from "../../core/exists.ts";

const DUMMY =
  "# my instance\nimages:\n- location: /etc/profile # the image\ndisk: 2GiB\n";

/** The entries of DIR, without hidden ones (such as the configuration cache). */
async function entries(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).filter((
    n,
  ) => !n.startsWith(".")).sort();
}

async function withHome(
  fn: (limaHome: string, opts: RunOptions) => Promise<void>,
): Promise<void> {
  const limaHome = await tempLimaHome();
  try {
    await fn(limaHome, { limaHome });
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
}

/** Pretends instance NAME is running: live PID files and a host agent answering on ha.sock. */
async function fakeRunning(dir: string): Promise<Deno.HttpServer> {
  await Deno.writeTextFile(`${dir}/ha.pid`, String(Deno.pid));
  await Deno.writeTextFile(`${dir}/qemu.pid`, String(Deno.pid));
  return Deno.serve(
    { path: `${dir}/ha.sock`, transport: "unix", onListen() {} },
    () => Response.json({ sshLocalPort: 60022 }),
  );
}

Deno.test("create stores lima.yaml exactly as written, with lima-version and the user key", () =>
  withHome(async (home, opts) => {
    const r = await limactlExpect(0, ["create", "--name", "foo", "-"], {
      ...opts,
      stdin: DUMMY,
    });
    assertInfo(r.stderr, "Run `limactl start foo` to start the instance.");
    assert.equal(await Deno.readTextFile(`${home}/foo/lima.yaml`), DUMMY);
    assert.equal(
      (await Deno.readTextFile(`${home}/foo/lima-version`)).trim(),
      "2.2.0",
    );
    assert.equal((await Deno.stat(`${home}/foo`)).mode! & 0o777, 0o700);
    assert.equal(
      (await Deno.stat(`${home}/foo/lima-version`)).mode! & 0o777,
      0o444,
    );
    assert.equal(
      (await Deno.stat(`${home}/_config/user`)).mode! & 0o777,
      0o600,
    );
    assert.equal(
      (await Deno.stat(`${home}/_config/user.pub`)).mode! & 0o777,
      0o644,
      "user.pub is readable as ssh-keygen leaves it",
    );
    assert.match(
      await Deno.readTextFile(`${home}/_config/user.pub`),
      /^ssh-ed25519 \S+ lima\n$/,
    );
    assert.deepEqual(await entries(home), ["_config", "_locks", "foo"]);
  }));

Deno.test("create applies the edit flags, keeping comments", () =>
  withHome(async (home, opts) => {
    await limactlExpect(0, [
      "create",
      "--name",
      "foo",
      "--cpus",
      "3",
      "--memory",
      "2",
      "--set",
      '.disk = "5GiB"',
      "-",
    ], {
      ...opts,
      stdin: DUMMY,
    });
    const text = await Deno.readTextFile(`${home}/foo/lima.yaml`);
    assert.deepEqual(parse(text), {
      images: [{ location: "/etc/profile" }],
      disk: "5GiB",
      cpus: 3,
      memory: "2GiB",
    });
    assert.match(text, /# my instance/);
    assert.match(text, /# the image/);
  }));

Deno.test("create --port-forward writes integer ports; a bad port names the flag", () =>
  withHome(async (home, opts) => {
    await limactlExpect(0, [
      "create",
      "--name",
      "foo",
      "--port-forward",
      "8080:80",
      "--port-forward",
      "9090:9090,static=true",
      "-",
    ], { ...opts, stdin: DUMMY });
    assert.deepEqual(
      parse(await Deno.readTextFile(`${home}/foo/lima.yaml`)).portForwards,
      [
        { guestPort: 80, hostPort: 8080, static: false },
        { guestPort: 9090, hostPort: 9090, static: true },
      ],
    );
    const r = await limactlExpect(1, [
      "create",
      "--name",
      "bar",
      "--port-forward",
      "http:80",
      "-",
    ], { ...opts, stdin: DUMMY });
    assertFatal(
      r.stderr,
      "error while processing flag `port-forward`: invalid host port `http` in `http:80`, expected an integer from 0 to 65535",
    );
    assert.ok(!await exists(`${home}/bar`));
  }));

Deno.test({
  name: "create refuses a driver whose manifest does not list this host",
  // vz runs on macOS only.
  ignore: Deno.build.os === "darwin",
  fn: () =>
    withHome(async (home, opts) => {
      for (
        const args of [
          ["create", "--name", "foo", "--vm-type=vz", "-"],
          ["start", "--name", "foo", "--vm-type=vz", "-"],
        ]
      ) {
        const r = await limactlExpect(1, args, { ...opts, stdin: DUMMY });
        assertFatal(
          r.stderr,
          `driver \`vz\` cannot run on this host (${Deno.build.os}/${Deno.build.arch}): it supports darwin/aarch64|x86_64`,
        );
        assert.ok(!await exists(`${home}/foo`));
      }
    }),
});

Deno.test("create names the instance after a template file", () =>
  withHome(async (home, opts) => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/My-Template.yaml`, DUMMY);
      await limactlExpect(0, ["create", `${dir}/My-Template.yaml`], opts);
      assert.ok(await exists(`${home}/my-template/lima.yaml`));
      assertFatal(
        (await limactlExpect(1, ["create", `${dir}/My-Template.yaml`], opts))
          .stderr,
        "instance `my-template` already exists",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));

Deno.test("create refuses bad input before writing anything", () =>
  withHome(async (home, opts) => {
    const fails = (args: string[], stdin?: string) =>
      limactlExpect(1, args, { ...opts, stdin });
    assertFatal(
      (await fails(["create", "-"], DUMMY)).stderr,
      "must pass instance name with --name when reading template from stdin",
    );
    assertFatal(
      (await fails(["create", "--tty=true", "--name", "x", "-"], DUMMY)).stderr,
      "cannot use --tty=true when reading template from stdin",
    );
    assertFatal(
      (await fails(["create", "--name", "bad/name", "-"], DUMMY)).stderr,
      "instance name `bad/name` is not a valid identifier…",
    );
    assertFatal(
      (await fails(["create", "--name", "x.yaml", "-"], DUMMY)).stderr,
      "instance name `x.yaml` must not end with .yml or .yaml suffix",
    );
    await fails(["create", "--name", "noimages", "-"], "cpus: 2\n");
    await fails(
      ["create", "--name", "badcpus", "-"],
      "{images: [location: /etc/profile], cpus: lots}\n",
    );
    await fails(
      ["create", "--name", "badset", "--set", ".cpus = ", "-"],
      DUMMY,
    );
    await fails(["create", "--name", "x" + "y".repeat(90), "-"], DUMMY);
    const left = (await entries(home)).filter((e) =>
      e !== "_locks" && e !== "_config"
    );
    assert.deepEqual(left, []);
  }));

Deno.test("edit with flags keeps comments and validates; invalid edits are rejected", () =>
  withHome(async (home, opts) => {
    await createDummyInstance("foo", { ...opts, yaml: DUMMY });
    const file = `${home}/foo/lima.yaml`;
    assertInfo(
      (await limactlExpect(0, ["edit", "--cpus", "4", "foo"], opts)).stderr,
      "Instance `foo` configuration edited",
    );
    const text = await Deno.readTextFile(file);
    assert.equal(parse(text).cpus, 4);
    assert.match(text, /# the image/);

    const work = await Deno.makeTempDir();
    try {
      const r = await limactlExpect(1, [
        "edit",
        "--set",
        '.cpus = "many"',
        "foo",
      ], { ...opts, cwd: work });
      assertFatal(
        r.stderr,
        "the YAML is invalid, saved the buffer as `lima.REJECTED.yaml`…",
      );
      assert.equal(await Deno.readTextFile(file), text);
      assert.match(
        await Deno.readTextFile(`${work}/lima.REJECTED.yaml`),
        /^cpus: "?many"?$/m,
      );
      const shrink = await limactlExpect(1, ["edit", "--disk", "1", "foo"], {
        ...opts,
        cwd: work,
      });
      assert.match(
        shrink.stderr,
        /shrinking the disk \(2GiB --> 1GiB\) is not supported/,
      );
      assert.equal(await Deno.readTextFile(file), text);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
    assertFatal(
      (await limactlExpect(1, ["edit", "--cpus", "2", "nope"], opts)).stderr,
      "instance `nope` not found",
    );
  }));

Deno.test("edit opens $EDITOR with --tty; empty or unchanged results abort", () =>
  withHome(async (home, opts) => {
    await createDummyInstance("foo", { ...opts, yaml: DUMMY });
    const file = `${home}/foo/lima.yaml`;
    const bin = await Deno.makeTempDir();
    try {
      const script = async (name: string, body: string) => {
        await Deno.writeTextFile(`${bin}/${name}`, `#!/bin/sh\n${body}\n`, {
          mode: 0o755,
        });
        return `${bin}/${name}`;
      };
      const change = await script(
        "change",
        'sed -i "s/disk: 2GiB/disk: 3GiB/" "$1"',
      );
      const empty = await script("empty", ': > "$1"');
      const keep = await script("keep", "true");
      const edit = (editor: string) =>
        limactlExpect(0, ["--tty", "edit", "foo"], {
          ...opts,
          env: { EDITOR: editor, VISUAL: "" },
        });
      assertInfo(
        (await edit(change)).stderr,
        "Instance `foo` configuration edited",
      );
      assert.equal(parse(await Deno.readTextFile(file)).disk, "3GiB");
      assert.match(await Deno.readTextFile(file), /^# my instance/);
      assertInfo(
        (await edit(empty)).stderr,
        "Aborting, as requested by saving the file with empty content",
      );
      assertInfo(
        (await edit(keep)).stderr,
        "Aborting, no changes made to the instance",
      );
      assert.equal(parse(await Deno.readTextFile(file)).disk, "3GiB");
      // An editor leaving more than Lima's 4 MiB changes nothing.
      const huge = await script(
        "huge",
        'head -c 5000000 /dev/zero | tr "\\0" "#" >> "$1"',
      );
      const refused = await limactlExpect(1, ["--tty", "edit", "foo"], {
        ...opts,
        env: { EDITOR: huge, VISUAL: "" },
      });
      assert.match(refused.stderr, /exceeds the size limit of 4194304 bytes/);
      assert.equal(parse(await Deno.readTextFile(file)).disk, "3GiB");
    } finally {
      await Deno.remove(bin, { recursive: true });
    }
  }));

Deno.test("create --set and edit --set refuse a result over 4 MiB and write nothing", () =>
  withHome(async (home, opts) => {
    const limit = 4 * 1024 * 1024;
    const padded = (size: number) =>
      DUMMY + "#".repeat(size - DUMMY.length - 1) + "\n";
    const work = await Deno.makeTempDir();
    try {
      const exact = `${work}/exact.yaml`;
      await Deno.writeTextFile(exact, padded(limit));
      const create = await limactlExpect(1, [
        "create",
        "--name=big",
        "--set",
        ".cpus=3",
        exact,
      ], { ...opts, cwd: work });
      assert.match(
        create.stderr,
        /the configuration of instance `big` exceeds the size limit of 4194304 bytes/,
      );
      assert.equal(await exists(`${home}/big`), false);

      await createDummyInstance("foo", { ...opts, yaml: padded(limit - 20) });
      const file = `${home}/foo/lima.yaml`;
      const before = await Deno.readTextFile(file);
      const edit = await limactlExpect(1, [
        "edit",
        "foo",
        "--set",
        `.user.comment="${"a".repeat(40)}"`,
      ], { ...opts, cwd: work });
      assert.match(
        edit.stderr,
        /the configuration of instance `foo` exceeds the size limit of 4194304 bytes/,
      );
      assert.equal(await Deno.readTextFile(file), before);
      await limactlExpect(0, ["edit", "foo", "--set", ".cpus=3"], {
        ...opts,
        cwd: work,
      });
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  }));

Deno.test("a running instance cannot be edited, cloned, renamed or deleted without --force", () =>
  withHome(async (home, opts) => {
    await createDummyInstance("foo", { ...opts, yaml: DUMMY });
    const server = await fakeRunning(`${home}/foo`);
    try {
      assert.equal(
        (await limactlExpect(0, [
          "ls",
          "--format",
          "{{.Status}} {{.SSHLocalPort}}",
          "foo",
        ], opts)).stdout,
        "Running 60022\n",
      );
      assertFatal(
        (await limactlExpect(1, ["edit", "--cpus", "2", "foo"], opts)).stderr,
        "cannot edit a running instance",
      );
      assertFatal(
        (await limactlExpect(1, ["clone", "foo", "bar"], opts)).stderr,
        "cannot clone a running instance",
      );
      assertFatal(
        (await limactlExpect(1, ["rename", "foo", "bar"], opts)).stderr,
        "cannot rename a running instance",
      );
      assertFatal(
        (await limactlExpect(1, ["delete", "foo"], opts)).stderr,
        "failed to delete instance `foo`: expected status `Stopped`, got `Running`",
      );
      assert.ok(await exists(`${home}/foo/lima.yaml`));
      assert.ok(!(await exists(`${home}/bar`)));
    } finally {
      await server.shutdown();
    }
  }));

Deno.test("clone copies all but runtime files and applies edit flags; rename moves", () =>
  withHome(async (home, opts) => {
    await createDummyInstance("foo", { ...opts, yaml: DUMMY });
    const foo = `${home}/foo`;
    await Deno.writeTextFile(`${foo}/ha.stdout.log`, "events\n");
    await Deno.writeTextFile(`${foo}/vz-identifier`, "id");
    await Deno.writeTextFile(`${foo}/stale.sock`, "");
    await Deno.writeTextFile(`${foo}/old.tmp`, "");
    await Deno.mkdir(`${foo}/swtpm`);
    await Deno.mkdir(`${foo}/copied-from-guest`);
    await Deno.writeTextFile(
      `${foo}/copied-from-guest/kubeconfig.yaml`,
      "k: v\n",
    );

    await limactlExpect(0, ["clone", "--cpus", "3", "foo", "bar"], opts);
    const bar = `${home}/bar`;
    assert.deepEqual(await entries(bar), [
      "copied-from-guest",
      "ha.stdout.log",
      "lima-version",
      "lima.yaml",
      "vz-identifier",
    ]);
    assert.equal(await Deno.readTextFile(`${bar}/vz-identifier`), "");
    assert.equal(
      await Deno.readTextFile(`${bar}/copied-from-guest/kubeconfig.yaml`),
      "k: v\n",
    );
    assert.equal(parse(await Deno.readTextFile(`${bar}/lima.yaml`)).cpus, 3);
    assert.equal(await Deno.readTextFile(`${foo}/lima.yaml`), DUMMY);
    assertFatal(
      (await limactlExpect(1, ["clone", "foo", "bar"], opts)).stderr,
      "instance `bar` already exists",
    );
    assertFatal(
      (await limactlExpect(1, ["clone", "nope", "x"], opts)).stderr,
      "instance `nope` not found",
    );

    await limactlExpect(0, ["rename", "foo", "baz"], opts);
    assert.ok(!(await exists(foo)));
    assert.equal(await Deno.readTextFile(`${home}/baz/lima.yaml`), DUMMY);
    assert.equal(
      await Deno.readTextFile(`${home}/baz/ha.stdout.log`),
      "events\n",
    );
    assert.ok(!(await exists(`${home}/baz/stale.sock`)));
    const names = (await limactlExpect(0, ["ls", "-q"], opts)).stdout;
    assert.equal(names, "bar\nbaz\n");
  }));

Deno.test("factory-reset keeps the configuration and drops everything else", () =>
  withHome(async (home, opts) => {
    await createDummyInstance("foo", { ...opts, yaml: DUMMY });
    const foo = `${home}/foo`;
    for (
      const f of [
        "disk",
        "cidata.iso",
        "ha.stderr.log",
        "extra.yaml",
        "serial.log",
      ]
    ) await Deno.writeTextFile(`${foo}/${f}`, "x");
    await limactlExpect(0, ["protect", "foo"], opts);
    assertFatal(
      (await limactlExpect(1, ["factory-reset", "foo"], opts)).stderr,
      "instance is protected to prohibit accidental factory-reset…",
    );
    await limactlExpect(0, ["unprotect", "foo"], opts);
    assertInfo(
      (await limactlExpect(0, ["factory-reset", "foo"], opts)).stderr,
      "Instance `foo` has been factory reset",
    );
    assert.deepEqual(await entries(foo), [
      "extra.yaml",
      "lima-version",
      "lima.yaml",
    ]);
    assertInfo(
      (await limactlExpect(0, ["factory-reset", "nope"], opts)).stderr,
      "Instance `nope` not found",
    );
  }));

Deno.test("delete removes several stopped instances, each directory whole", () =>
  withHome(async (home, opts) => {
    await createDummyInstance("foo", { ...opts, yaml: DUMMY });
    await createDummyInstance("bar", { ...opts, yaml: DUMMY });
    const r = await limactl(["rm", "foo", "bar"], opts);
    assert.equal(r.code, 0, r.stderr);
    assertInfo(r.stderr, `Deleted \`foo\` (\`${home}/foo\`)`);
    assertInfo(r.stderr, `Deleted \`bar\` (\`${home}/bar\`)`);
    assert.deepEqual(await entries(home), ["_config", "_locks"]);
  }));
