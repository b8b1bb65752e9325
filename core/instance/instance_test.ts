import assert from "node:assert/strict";
import type { LimaYAML } from "../config/schema.ts";
import { inspectInstance, instanceNames } from "./instance.ts";
import "../../tests/use_builtin_drivers.ts";

const CONFIG: LimaYAML = {
  vmType: "qemu",
  arch: "x86_64",
  cpus: 2,
  memory: "4GiB",
  disk: "100GiB",
  ssh: { localPort: 0 },
};

async function withInstance(fn: (dir: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "lima-" });
  const previous = Deno.env.get("LIMA_HOME");
  Deno.env.set("LIMA_HOME", home);
  const dir = `${home}/foo`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(
    `${dir}/lima.yaml`,
    "images: [{location: /etc/profile}]\n",
  );
  try {
    await fn(dir);
  } finally {
    if (previous === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", previous);
    await Deno.remove(home, { recursive: true });
  }
}

const inspect = (config: LimaYAML = CONFIG) =>
  inspectInstance("foo", {
    loadConfig: () => Promise.resolve(config),
    hostAgentTimeoutMs: 500,
  });

async function exitedPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("an instance without processes is Stopped and reports its sizes", () =>
  withInstance(async (dir) => {
    await Deno.writeTextFile(`${dir}/lima-version`, "2.2.0");
    await Deno.writeTextFile(
      `${dir}/ssh.config`,
      "Host lima-foo\n  Port 60022\n",
    );
    const inst = (await inspect())!;
    assert.equal(inst.status, "Stopped");
    assert.deepEqual(inst.errors, []);
    assert.equal(inst.memory, 4 * 1024 ** 3);
    assert.equal(inst.disk, 100 * 1024 ** 3);
    assert.equal(inst.sshLocalPort, 60022);
    assert.equal(inst.limaVersion, "2.2.0");
    assert.equal(inst.hostname, "lima-foo");
    assert.equal(inst.protected, false);
  }));

Deno.test("an installed driver declaring fixedResources lists cpus, memory and disk as 0", () =>
  withInstance(async (dir) => {
    const drivers = `${dir}/../_drivers`;
    await Deno.mkdir(drivers);
    await Deno.writeTextFile(
      `${drivers}/drivers.json`,
      JSON.stringify({
        drivers: [{
          name: "acme",
          location: "/opt/acme/mod.ts",
          file: "/opt/acme/mod.ts",
          contractVersion: "1.1",
          permissions: {},
          validation: { fixedResources: true },
          installedAt: "2026-01-01T00:00:00Z",
        }],
      }),
    );
    const inst = (await inspect({ ...CONFIG, vmType: "acme" }))!;
    assert.deepEqual([inst.cpus, inst.memory, inst.disk], [0, 0, 0]);
  }));

Deno.test("stale PID files are removed and do not count", () =>
  withInstance(async (dir) => {
    await Deno.writeTextFile(`${dir}/ha.pid`, String(await exitedPid()));
    await Deno.writeTextFile(`${dir}/qemu.pid`, String(await exitedPid()));
    assert.equal((await inspect())!.status, "Stopped");
    await assert.rejects(Deno.stat(`${dir}/ha.pid`), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${dir}/qemu.pid`), Deno.errors.NotFound);
  }));

Deno.test("a live host agent answering on ha.sock and a live driver make it Running", () =>
  withInstance(async (dir) => {
    const server = Deno.serve(
      { path: `${dir}/ha.sock`, transport: "unix", onListen() {} },
      (req) =>
        new URL(req.url).pathname === "/v1/info"
          ? Response.json({
            sshLocalPort: 45678,
            autoStartedIdentifier: "lima-vm@foo.service",
          })
          : new Response("not found", { status: 404 }),
    );
    try {
      await Deno.writeTextFile(`${dir}/ha.pid`, String(Deno.pid));
      await Deno.writeTextFile(`${dir}/qemu.pid`, String(Deno.pid));
      const inst = (await inspect())!;
      assert.equal(inst.status, "Running");
      assert.equal(inst.sshLocalPort, 45678);
      assert.equal(inst.autoStartedIdentifier, "lima-vm@foo.service");
      assert.equal(inst.hostAgentPID, Deno.pid);
    } finally {
      await server.shutdown();
    }
  }));

Deno.test("a host agent that does not answer makes it Broken", () =>
  withInstance(async (dir) => {
    await Deno.writeTextFile(`${dir}/ha.pid`, String(Deno.pid));
    await Deno.writeTextFile(`${dir}/qemu.pid`, String(Deno.pid));
    const inst = (await inspect())!;
    assert.equal(inst.status, "Broken");
    assert.match(inst.errors[0], /^failed to get Info from `.*ha\.sock`/);
  }));

Deno.test("a host agent that hangs is given up on after the timeout", () =>
  withInstance(async (dir) => {
    const listener = Deno.listen({ path: `${dir}/ha.sock`, transport: "unix" });
    const accepted: Deno.Conn[] = [];
    const accepting = (async () => {
      for await (const conn of listener) accepted.push(conn);
    })();
    try {
      await Deno.writeTextFile(`${dir}/ha.pid`, String(Deno.pid));
      await Deno.writeTextFile(`${dir}/qemu.pid`, String(Deno.pid));
      const started = Date.now();
      const inst = (await inspect())!;
      assert.equal(inst.status, "Broken");
      assert.ok(Date.now() - started < 2000);
    } finally {
      listener.close();
      for (const conn of accepted) conn.close();
      await accepting;
    }
  }));

Deno.test("a driver without a host agent makes it Broken", () =>
  withInstance(async (dir) => {
    await Deno.writeTextFile(`${dir}/qemu.pid`, String(Deno.pid));
    const inst = (await inspect())!;
    assert.equal(inst.status, "Broken");
    assert.deepEqual(inst.errors, [
      "qemu driver is running but host agent is not",
    ]);
  }));

Deno.test("a garbage PID file or a failing configuration makes it Broken", () =>
  withInstance(async (dir) => {
    await Deno.writeTextFile(`${dir}/ha.pid`, "garbage");
    assert.equal((await inspect())!.status, "Broken");
    await Deno.remove(`${dir}/ha.pid`);
    const failing = await inspectInstance("foo", {
      loadConfig: () => Promise.reject(new Error("field `cpus`: bad")),
    });
    assert.equal(failing!.status, "Broken");
    assert.deepEqual(failing!.errors, ["field `cpus`: bad"]);
  }));

Deno.test("the message is rendered as a Go template; a bad one makes it Broken", () =>
  withInstance(async (dir) => {
    await Deno.writeTextFile(`${dir}/protected`, "");
    const inst =
      (await inspect({ ...CONFIG, message: "Hello {{.Name}} in {{.Dir}}" }))!;
    assert.equal(inst.message, `Hello foo in ${dir}`);
    assert.equal(inst.protected, true);
    const bad = (await inspect({ ...CONFIG, message: "{{.Nope}}" }))!;
    assert.equal(bad.status, "Broken");
    assert.match(bad.errors[0], /can't evaluate field Nope/);
  }));

Deno.test("no lima.yaml means no instance; names skip . and _ entries", () =>
  withInstance(async (dir) => {
    const home = Deno.env.get("LIMA_HOME")!;
    await Deno.mkdir(`${home}/_config`);
    await Deno.mkdir(`${home}/.hidden`);
    await Deno.mkdir(`${home}/bar`);
    await Deno.writeTextFile(`${home}/file`, "");
    assert.deepEqual(await instanceNames(), ["bar", "foo"]);
    assert.equal(await inspectInstance("bar"), undefined);
    await Deno.remove(`${dir}/lima.yaml`);
    assert.equal(await inspect(), undefined);
  }));
