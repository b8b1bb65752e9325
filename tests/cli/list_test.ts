/** `limactl list` against dummy instances: the cases of Lima's `hack/bats/tests/list.bats`. */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { laughs } from "../fixtures/laughs.ts";
import {
  assertFatal,
  assertWarning,
  createDummyInstance,
  limactl,
  limactlExpect,
  lines,
  tempLimaHome,
} from "./helpers.ts";

// deno-lint-ignore no-control-regex
const stripColors = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

/** Parses concatenated (possibly pretty-printed) JSON values. */
function parseJSONStream(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && --depth === 0) {
      values.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return values;
}

Deno.test("limactl list with no instances warns and exits 0", async () => {
  const limaHome = await tempLimaHome();
  try {
    const r = await limactlExpect(0, ["list"], { limaHome });
    assertWarning(
      r.stderr,
      "No instance found. Run `limactl create` to create an instance.",
    );
    assert.equal(r.stdout, "");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("limactl list (Lima's list.bats)", async (t) => {
  const limaHome = await tempLimaHome();
  const run = (args: string[], env?: Record<string, string>) =>
    limactl(args, { limaHome, env });
  const ok = (args: string[], env?: Record<string, string>) =>
    limactlExpect(0, args, { limaHome, env });
  const fails = (args: string[]) => limactlExpect(1, args, { limaHome });
  try {
    await Promise.all([
      createDummyInstance("foo", {
        limaHome,
        yaml: '{images: [location: /etc/profile], disk: "1M"}',
      }),
      createDummyInstance("bar", {
        limaHome,
        yaml: '{images: [location: /etc/profile], disk: "2M"}',
      }),
      createDummyInstance("baz", {
        limaHome,
        yaml: '{images: [location: /etc/profile], disk: "3M"}',
      }),
    ]);

    await t.step("the table is sorted by name, ls is an alias", async () => {
      const out = lines((await ok(["ls"])).stdout);
      assert.equal(out.length, 4);
      assert.match(out[0], /^NAME +STATUS.+DISK/);
      assert.match(out[1], /^bar +Stopped.+ 2MiB/);
      assert.match(out[2], /^baz +Stopped.+ 3MiB/);
      assert.match(out[3], /^foo +Stopped.+ 1MiB/);
    });

    await t.step("named instances are listed in argument order", async () => {
      const out = lines((await ok(["ls", "foo", "bar"])).stdout);
      assert.equal(out.length, 3);
      assert.match(out[0], /^NAME/);
      assert.match(out[1], /^foo/);
      assert.match(out[2], /^bar/);
    });

    await t.step(
      "an unknown name is an error, the others are still listed",
      async () => {
        const r = await fails(["ls", "foo", "foobar", "bar"]);
        assertWarning(r.stderr, "No instance matching foobar found.");
        assertFatal(r.stderr, "unmatched instances");
        const out = lines(r.stdout);
        assert.equal(out.length, 3);
        assert.match(out[1], /^foo/);
        assert.match(out[2], /^bar/);
      },
    );

    await t.step(
      "a directory without lima.yaml is listed as Broken",
      async () => {
        await Deno.mkdir(`${limaHome}/probe`);
        try {
          let r = await ok(["ls"]);
          assertWarning(r.stderr, "instance `probe` has errors…");
          let out = lines(r.stdout);
          assert.equal(out.length, 5);
          assert.match(out[4], /^probe +Broken/);

          r = await ok(["ls", "--format", "json"]);
          assertWarning(r.stderr, "instance `probe` has errors…");
          out = lines(r.stdout);
          assert.equal(out.length, 4);
          assert.match(out[0], /^\{"name":"bar",/);
          assert.match(
            out[3],
            /^\{"name":"probe","hostname":"[^"]*","status":"Broken"/,
          );

          out = lines((await ok(["ls", "--quiet"])).stdout);
          assert.deepEqual(out, ["bar", "baz", "foo", "probe"]);

          r = await ok(["ls", "foo", "probe"]);
          assertWarning(r.stderr, "instance `probe` has errors…");
          out = lines(r.stdout);
          assert.equal(out.length, 3);
          assert.match(out[2], /^probe +Broken/);
        } finally {
          await Deno.remove(`${limaHome}/probe`, { recursive: true });
        }
      },
    );

    await t.step(
      "delete refuses a directory without lima.yaml and keeps it",
      async () => {
        await Deno.mkdir(`${limaHome}/probe`);
        try {
          const r = await fails(["delete", "--force", "probe"]);
          assertFatal(r.stderr, "instance `probe` directory…");
          assert.ok((await Deno.stat(`${limaHome}/probe`)).isDirectory);
          const missing = await ok(["delete", "--force", "does-not-exist"]);
          assertWarning(
            missing.stderr,
            "Ignoring non-existent instance `does-not-exist`",
          );
        } finally {
          await Deno.remove(`${limaHome}/probe`, { recursive: true });
        }
      },
    );

    await t.step("--quiet prints names only", async () => {
      assert.deepEqual(
        lines((await ok(["list", "--quiet", "foo", "bar"])).stdout),
        ["foo", "bar"],
      );
    });

    await t.step("--format json prints one object per line", async () => {
      const out = lines(
        (await ok(["ls", "--format", "json", "foo", "bar"])).stdout,
      );
      assert.equal(out.length, 2);
      assert.match(out[0], /^\{"name":"foo",/);
      assert.match(out[1], /^\{"name":"bar",/);
      const foo = JSON.parse(out[0]);
      assert.deepEqual(Object.keys(foo).slice(0, 4), [
        "name",
        "hostname",
        "status",
        "dir",
      ]);
      assert.equal(foo.disk, 1048576);
      assert.equal(foo.protected, false);
      assert.equal(foo.LimaHome, limaHome);
    });

    await t.step("--json is --format json", async () => {
      const a = await ok(["ls", "foo", "bar", "--format", "json"]);
      const b = await ok(["ls", "foo", "bar", "--json"]);
      assert.equal(b.stdout, a.stdout);
      const both = await run(["ls", "--json", "--format", "json"]);
      assert.equal(both.code, 1);
      assertFatal(both.stderr, "option --json conflicts with option --format");
    });

    await t.step(
      "--format yaml prints one document per instance, same data as JSON",
      async () => {
        const json = lines(
          (await ok(["ls", "foo", "bar", "--format", "json"])).stdout,
        ).map((l) => JSON.parse(l));
        const yaml =
          (await ok(["ls", "--format", "yaml", "foo", "bar"])).stdout;
        assert.match(yaml, /^name: foo$/m);
        assert.match(yaml, /^name: bar$/m);
        assert.doesNotMatch(yaml, /^name: baz$/m);
        const docs = parseAllDocuments(yaml);
        assert.ok(Array.isArray(docs));
        assert.deepEqual(docs.map((d) => d.toJS()), json);
      },
    );

    await t.step(
      "JSON and YAML to a terminal are colourised but the same data",
      async () => {
        const tty = { _LIMA_OUTPUT_IS_TTY: "1" };
        const json = lines(
          (await ok(["ls", "foo", "bar", "--format", "json"])).stdout,
        ).map((l) => JSON.parse(l));
        const colored =
          (await ok(["ls", "foo", "bar", "--format", "json"], tty)).stdout;
        assert.ok(colored.includes("\x1b[0m"));
        assert.deepEqual(parseJSONStream(stripColors(colored)), json);
        const coloredYAML =
          (await ok(["ls", "foo", "bar", "--format", "yaml"], tty)).stdout;
        assert.ok(coloredYAML.includes("\x1b[0m"));
        const docs = parseAllDocuments(stripColors(coloredYAML));
        assert.ok(Array.isArray(docs));
        assert.deepEqual(docs.map((d) => d.toJS()), json);
      },
    );

    await t.step("Go templates see the instance fields", async () => {
      const out = lines(
        (await ok(["ls", "foo", "bar", "--format", "{{.Name}} {{.Disk}}"]))
          .stdout,
      );
      assert.deepEqual(out, ["foo 1048576", "bar 2097152"]);
      const status = (await ok([
        "ls",
        "foo",
        "--format",
        "{{.Status}} {{.VMType}} {{.SSHLocalPort}} {{.Dir}}",
      ])).stdout;
      assert.equal(status, `Stopped qemu 0 ${limaHome}/foo\n`);
    });

    await t.step(
      "--list-fields lists field names but not the deprecated ones",
      async () => {
        const fields = lines((await ok(["ls", "--list-fields"])).stdout);
        for (
          const name of [
            "Name",
            "CPUs",
            "Memory",
            "Status",
            "SSHLocalPort",
            "Config",
          ]
        ) assert.ok(fields.includes(name));
        for (const f of fields) assert.match(f, /^[A-Z]\S*$/);
        for (const name of ["HostArch", "HostOS", "IdentityFile", "LimaHome"]) {
          assert.ok(!fields.includes(name), name);
          assert.notEqual(
            (await ok(["ls", "foo", "--format", `{{.${name}}}`])).stdout.trim(),
            "",
          );
        }
        assert.equal(
          (await ok(["ls", "foo", "--format", "{{.LimaHome}}"])).stdout,
          `${limaHome}\n`,
        );
      },
    );

    await t.step(
      "an unknown template field is fatal and prints nothing",
      async () => {
        const r = await fails(["ls", "foo", "--format", "{{.Unknown}}"]);
        assert.match(r.stderr, /level=fatal.*can't evaluate field Unknown/);
        assert.equal(r.stdout, "");
      },
    );

    await t.step("--quiet only works with the table format", async () => {
      for (const format of ["json", "yaml", "{{.Name}} {{.Disk}}"]) {
        assertFatal(
          (await fails(["list", "--quiet", "--format", format])).stderr,
          "option --quiet can only be used with '--format table'",
        );
      }
    });

    await t.step("--yq implies JSON and also works with YAML", async () => {
      const out = (await ok(["ls", "baz", "--yq", ".config"])).stdout;
      assert.match(out, /^\{"/);
      assert.equal(JSON.parse(out).disk, "3M");
      assert.ok(
        lines(
          (await ok(["ls", "baz", "--yq", ".config", "--format", "yaml"]))
            .stdout,
        ).includes("disk: 3M"),
      );
    });

    await t.step("--yq can be given several times", async () => {
      // A root host user gets the guest user lima with uid 1000.
      const uid = String(Deno.uid() === 0 ? 1000 : Deno.uid());
      assert.equal(
        (await ok([
          "ls",
          "foo",
          "--yq",
          ".config",
          "--yq",
          ".user",
          "--yq",
          ".uid",
        ])).stdout,
        `${uid}\n`,
      );
      const r = await ok([
        "ls",
        "--yq",
        "select(.disk > 1024*1024)",
        "--yq",
        'select(.name | test("z"))',
        "--yq",
        ".name",
      ]);
      assert.equal(r.stdout, "baz\n");
    });

    await t.step(
      "--yq does not combine with the table or a Go template",
      async () => {
        for (const format of ["table", "{{.Name}} {{.Disk}}"]) {
          assertFatal(
            (await fails(["ls", "--yq", ".name", "--format", format])).stderr,
            "option --yq only works with --format json or yaml",
          );
        }
      },
    );

    await t.step("--quiet combines with --yq", async () => {
      const all = lines((await ok(["ls", "--quiet"])).stdout);
      assert.equal(all.length, 3);
      assert.equal(all[0], "bar");
      assert.equal(
        (await ok(["ls", "--quiet", "--yq", 'select(.name == "foo")'])).stdout,
        "foo\n",
      );
    });

    await t.step("--yq cannot read the environment or files", async () => {
      assertFatal(
        (await fails(["ls", "--yq", "env(HOME)"])).stderr,
        "env operations have been disabled…",
      );
      assertFatal(
        (await fails(["ls", "--yq", 'load("/etc/hostname")'])).stderr,
        "file operations have been disabled…",
      );
    });

    await t.step(
      "--filter selects instances in every format, AND-combined",
      async () => {
        const out = lines(
          (await ok(["ls", "--filter", '.name == "foo"'])).stdout,
        );
        assert.equal(out.length, 2);
        assert.match(out[1], /^foo/);
        assert.match(
          (await ok(["ls", "--filter", '.name == "foo"', "--format", "json"]))
            .stdout,
          /^\{"name":"foo",/,
        );
        assert.equal(
          (await ok(["ls", "-l", '.name == "foo"', "--format", "{{.Name}}"]))
            .stdout,
          "foo\n",
        );
        assert.equal(
          (await ok(["ls", "--filter", '.name == "foo"', "--yq", ".name"]))
            .stdout,
          "foo\n",
        );
        assert.equal(
          (await ok(["ls", "--quiet", "--filter", '.name == "foo"'])).stdout,
          "foo\n",
        );
        assert.equal(
          (await ok(["ls", "-q", "--filter", '.name == "kcp"'])).stdout,
          "",
        );
        assert.equal(
          (await ok([
            "ls",
            "-q",
            "--filter",
            '.name == "foo"',
            "--filter",
            '.disk == "1M"',
          ])).stdout,
          "",
        );
      },
    );

    await t.step(
      "--filter compares a number with its text, as yq does",
      async () => {
        const out = lines(
          (await ok([
            "ls",
            "--filter",
            '.name == "foo"',
            "--filter",
            '.disk == "1048576"',
          ])).stdout,
        );
        assert.match(out[1], /^foo/);
      },
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("list follows changes to lima.yaml, _config/default.yaml and mount locations", async () => {
  const limaHome = await tempLimaHome();
  const opts = { limaHome };
  const show = async () =>
    (await limactlExpect(
      0,
      ["ls", "foo", "--format", "{{.Status}} {{.CPUs}}"],
      opts,
    )).stdout;
  try {
    const mount = `${limaHome}/shared`;
    await Deno.mkdir(mount);
    await createDummyInstance("foo", {
      ...opts,
      yaml:
        `{images: [location: /etc/profile], mounts: [{location: "${mount}"}]}`,
    });
    await Deno.mkdir(`${limaHome}/_config`, { recursive: true });
    await Deno.writeTextFile(`${limaHome}/_config/default.yaml`, "cpus: 3\n");
    assert.equal(await show(), "Stopped 3\n");
    await Deno.writeTextFile(`${limaHome}/_config/default.yaml`, "cpus: 5\n");
    assert.equal(await show(), "Stopped 5\n");
    await Deno.writeTextFile(
      `${limaHome}/foo/lima.yaml`,
      `{images: [location: /etc/profile], cpus: 1, mounts: [{location: "${mount}"}]}`,
    );
    assert.equal(await show(), "Stopped 1\n");
    // The mount location turning into a file makes the configuration invalid.
    await Deno.remove(mount);
    await Deno.writeTextFile(mount, "");
    const r = await limactlExpect(
      0,
      ["ls", "foo", "--format", "{{.Status}}"],
      opts,
    );
    assert.equal(r.stdout, "Broken\n");
    assertWarning(r.stderr, "instance `foo` has errors…");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("list repeats the configuration's warnings on every run", async () => {
  const limaHome = await tempLimaHome();
  try {
    await createDummyInstance("foo", {
      limaHome,
      yaml: "{images: [location: /etc/profile], nosuchfield: 1}",
    });
    for (let i = 0; i < 2; i++) {
      const r = await limactlExpect(0, ["ls", "-f", "{{.Name}}"], { limaHome });
      assert.equal(r.stdout, "foo\n");
      assertWarning(
        r.stderr,
        "Non-strict YAML detected; please check for typos…",
      );
    }
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("a hostile or broken lima.yaml lists its instance as Broken with the reason, and the rest as usual", async () => {
  const limaHome = await tempLimaHome();
  const listJSON = async () => {
    const started = performance.now();
    const r = await limactlExpect(0, ["ls", "--json"], { limaHome });
    const records = parseJSONStream(r.stdout) as {
      name: string;
      status: string;
      errors?: string[];
    }[];
    return { records, ms: performance.now() - started };
  };
  try {
    await createDummyInstance("good", { limaHome });
    const usual = (await listJSON()).ms;
    const hostile: Record<string, [string, RegExp]> = {
      laughs: [
        `images: [{location: /etc/profile}]\n${laughs(9, 9)}mounts: *l9\n`,
        /document contains excessive aliasing/,
      ],
      huge: [
        "#".repeat(5 * 1024 * 1024),
        /exceeds the size limit of 4194304 bytes/,
      ],
      latin1: [
        "images: [{location: /etc/profile}]\nmessage: caf\xe9\n",
        /lima\.yaml" is not valid UTF-8: line 2/,
      ],
      fifo: ["", /lima\.yaml" is not a regular file/],
      zero: ["", /lima\.yaml" is not a regular file/],
      deep: [
        "[".repeat(2_000_000),
        /line 1:101: collections are nested more than 100 levels deep/,
      ],
      dupes: [
        `env:\n${
          Array.from({ length: 20_000 }, (_, i) => `  k${i}: v\n`).join("")
        }  k0: v\n`,
        /line 20002:3: Map keys must be unique/,
      ],
    };
    for (const [name, [text]] of Object.entries(hostile)) {
      const file = `${limaHome}/${name}/lima.yaml`;
      await Deno.mkdir(`${limaHome}/${name}`);
      if (name === "fifo") {
        await new Deno.Command("mkfifo", { args: [file] }).output();
      } else if (name === "zero") await Deno.symlink("/dev/zero", file);
      else if (name === "latin1") {
        await Deno.writeFile(
          file,
          Uint8Array.from(text, (c) => c.charCodeAt(0)),
        );
      } else await Deno.writeTextFile(file, text);
    }
    const { records, ms } = await listJSON();
    assert.deepEqual(
      records.map((r) => [r.name, r.status]),
      [
        ["deep", "Broken"],
        ["dupes", "Broken"],
        ["fifo", "Broken"],
        ["good", "Stopped"],
        ["huge", "Broken"],
        ["latin1", "Broken"],
        ["laughs", "Broken"],
        ["zero", "Broken"],
      ],
    );
    for (const record of records) {
      if (record.name === "good") continue;
      assert.match(record.errors?.join("\n") ?? "", hostile[record.name][1]);
    }
    // Parsing 20,000 keys or 2M brackets took many seconds before it was linear and bounded.
    assert.ok(ms < 2 * usual + 3000, `list took ${ms} ms, usually ${usual} ms`);

    // `_config/default.yaml` applies to every instance.
    const defaults = `${limaHome}/_config/default.yaml`;
    await new Deno.Command("mkfifo", { args: [defaults] }).output();
    const good = (await listJSON()).records.find((r) => r.name === "good");
    assert.equal(good?.status, "Broken");
    assert.match(
      good?.errors?.join("\n") ?? "",
      /default\.yaml" is not a regular file/,
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});
