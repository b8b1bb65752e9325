import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../tests/fixtures/http_server.ts";

const main = fileURLToPath(new URL("../main.ts", import.meta.url));
const example = fileURLToPath(
  new URL("../tests/fixtures/example-driver/mod.ts", import.meta.url),
);

async function limactl(home: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-worker-options", main, ...args],
    env: { LIMA_HOME: home },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/**
 * Runs limactl on a pseudo-terminal (util-linux `script`) that reads ANSWER; a run still
 * waiting for the terminal after 30 s is killed.
 */
async function onTerminal(home: string, answer: string, ...args: string[]) {
  const line = [Deno.execPath(), "run", "-A", main, ...args]
    .map((a) => `'${a}'`).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qec", line, "/dev/null"],
    env: { LIMA_HOME: home },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(answer));
  await writer.close();
  const out = await child.output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

const asks =
  /Driver `example` \(contract 1\.0\) from .* asks for these permissions: read: \$LIMA_HOME; write: \$LIMA_HOME; run: sleep\n\(\$LIMA_HOME stands for its own directories: the directory of the instance it drives and .*\/_drivers\/data\/example\)/;

Deno.test("limactl driver install shows the permissions and installs only once confirmed", async () => {
  const home = await Deno.makeTempDir();
  const installed = async () =>
    (await limactl(home, "driver", "list")).stdout.includes(example);
  try {
    const script = await limactl(home, "driver", "install", example);
    assert.equal(script.code, 1);
    assert.match(script.stdout, asks);
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
      /It runs with these permissions: read: \$LIMA_HOME; write: \$LIMA_HOME; run: sleep/,
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
