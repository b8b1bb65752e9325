import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../tests/fixtures/http_server.ts";
import { onTerminal as onTerminalIn } from "../tests/cli/helpers.ts";

const main = fileURLToPath(new URL("../main.ts", import.meta.url));
const example = fileURLToPath(
  new URL("../tests/fixtures/example-driver/mod.ts", import.meta.url),
);

async function limactl(home: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-worker-options", main, ...args],
    env: { LIMA_HOME: home },
    // A run still going after a minute (blocked on a FIFO, say) is killed.
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Runs limactl on a pseudo-terminal that reads ANSWER. */
const onTerminal = (home: string, answer: string, ...args: string[]) =>
  onTerminalIn(args, { limaHome: home, answer });

/** The prompt lists the absolute paths the driver will be given. */
const asks = (home: string) => {
  const inst = RegExp.escape(join(home, "<instance>"));
  const data = RegExp.escape(join(home, "_drivers/data/example"));
  return new RegExp(
    `Driver \`example\` \\(contract 1\\.0\\) from .* asks for these permissions:\n  read: ${inst}, ${data}\n  write: ${inst}, ${data}\n  run: sleep\n\\(<instance> is the directory of each instance it drives; ${data} is its own data directory\\)`,
  );
};

Deno.test("limactl driver install shows the permissions and installs only once confirmed", async () => {
  const home = await Deno.makeTempDir();
  const installed = async () =>
    (await limactl(home, "driver", "list")).stdout.includes(example);
  try {
    const script = await limactl(home, "driver", "install", example);
    assert.equal(script.code, 1);
    assert.match(script.stdout, asks(await Deno.realPath(home)));
    assert.match(script.stderr, /pass `--yes` to install it without asking/);
    assert.ok(!(await installed()), "refused without a terminal or --yes");

    const no = await onTerminal(home, "n\n", "driver", "install", example);
    assert.equal(no.code, 1);
    assert.match(no.stdout, /Install\? \[y\/N\]/);
    assert.ok(!(await installed()), "refused when the user says no");

    const yes = await onTerminal(home, "y\n", "driver", "install", example);
    assert.equal(yes.code, 0, yes.stdout);
    assert.ok(await installed());
    await limactl(home, "driver", "remove", "example");

    const install = await limactl(home, "driver", "install", "-y", example);
    assert.equal(install.code, 0, install.stderr);
    assert.match(
      install.stdout,
      new RegExp(
        `It runs with these permissions: read: ${
          RegExp.escape(join(await Deno.realPath(home), "<instance>"))
        }, .*/_drivers/data/example; write: .*; run: sleep`,
      ),
    );
    const list = await limactl(home, "driver", "list");
    const rows = list.stdout.trim().split("\n").map((l) => l.split(/\s+/));
    assert.deepEqual(rows[0], ["NAME", "LOCATION"]);
    assert.deepEqual(rows.find((r) => r[0] === "example"), [
      "example",
      example,
    ]);
    assert.deepEqual(rows.find((r) => r[0] === "qemu"), ["qemu", "internal"]);
    const removed = await limactl(home, "driver", "remove", "example");
    assert.equal(removed.code, 0);
    const again = await limactl(home, "driver", "remove", "example");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /driver `example` is not installed/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("create and start refuse a template naming a driver module that is not installed, fetching nothing", async () => {
  const server = startServer();
  server.route("/mod.ts", { body: await Deno.readFile(example) });
  const url = server.url("/mod.ts");
  server.route("/evil.yaml", {
    body: new TextEncoder().encode(
      `images: [{location: /etc/profile}]\nvmType: ${url}\n`,
    ),
  });
  const home = await Deno.makeTempDir();
  try {
    for (const command of ["create", "start"]) {
      const run = await limactl(
        home,
        command,
        "--name",
        command,
        server.url("/evil.yaml"),
      );
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        new RegExp(
          `names a driver that is not installed.*limactl driver install ${
            RegExp.escape(url)
          }`,
        ),
      );
      await assert.rejects(
        Deno.stat(join(home, command)),
        Deno.errors.NotFound,
      );
    }
    assert.equal(server.count("/mod.ts"), 0, "the driver was never fetched");
  } finally {
    await server.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("a driver's code cannot win a permission by a yes on the terminal", async () => {
  const home = await Deno.makeTempDir();
  const marker = join(home, "written-by-the-driver");
  const contract = new URL("../plugins/contract.ts", import.meta.url).href;
  const module = join(home, "curious.ts");
  // The example driver, plus a top-level write it was never granted.
  await Deno.writeTextFile(
    module,
    (await Deno.readTextFile(example))
      .replace("../../../plugins/contract.ts", contract) +
      `try { Deno.writeTextFileSync(${
        JSON.stringify(marker)
      }, "x"); } catch { /* denied */ }\n`,
  );
  try {
    // Old code: Deno asked "Allow?" and the first "y" granted the write.
    const run = await onTerminal(
      home,
      "y\ny\nn\n",
      "driver",
      "install",
      module,
    );
    assert.doesNotMatch(run.stdout, /Deno requests/);
    assert.match(run.stdout, /Install\?/);
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("limactl driver install refuses a manifest whose paths leave the driver's own directories", async () => {
  const home = await Deno.makeTempDir();
  const module = join(home, "probe3.ts");
  await Deno.writeTextFile(
    module,
    (await Deno.readTextFile(example)).replace(
      'read: ["$LIMA_HOME"]',
      'read: ["$LIMA_HOME", "$LIMA_HOME/../secret.txt", "$LIMA_HOME/victim"]',
    ),
  );
  try {
    const run = await limactl(home, "-y", "driver", "install", module);
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stdout, /Installed/);
    assert.match(
      run.stderr,
      /driver `example` may not read `\$LIMA_HOME\/\.\.\/secret\.txt`: a path in a driver's permissions may not contain `\.\.`/,
    );
    const list = await limactl(home, "driver", "list");
    assert.doesNotMatch(list.stdout, /example/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test(
  "a driver record file that is a FIFO or /dev/zero is reported, and the commands go on",
  {
    ignore: Deno.build.os === "windows",
  },
  async () => {
    const home = await Deno.makeTempDir();
    const records = join(home, "_drivers", "drivers.json");
    const template = join(home, "tq.yaml");
    await Deno.writeTextFile(
      template,
      "vmType: qemu\nimages: [{location: /etc/profile, arch: x86_64}]\n",
    );
    await Deno.mkdir(join(home, "_drivers"));
    try {
      for (
        const make of [
          async () => {
            const made = await new Deno.Command("mkfifo", { args: [records] })
              .output();
            assert.ok(made.success);
          },
          () => Deno.symlink("/dev/zero", records),
        ]
      ) {
        await make();
        for (const args of [["validate", template], ["driver", "list"]]) {
          const run = await limactl(home, ...args);
          assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
          assert.match(
            run.stderr,
            /Ignoring the damaged driver records .*is not a regular file/,
          );
        }
        await Deno.remove(records);
      }
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
);
