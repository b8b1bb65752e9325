import assert from "node:assert/strict";
import { serveAPI } from "../hostagent/api.ts";
import { stopInstances } from "./stop.ts";
import "../../tests/use_builtin_drivers.ts";

/** An instance `vm` whose host agent and QEMU are stand-in processes. */
async function withRunningInstance(
  fn: (
    processes: { agent: Deno.ChildProcess; vm: Deno.ChildProcess },
  ) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "lima-" });
  const previous = Deno.env.get("LIMA_HOME");
  Deno.env.set("LIMA_HOME", home);
  const dir = `${home}/vm`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(
    `${dir}/lima.yaml`,
    "images: [{location: /etc/profile}]\n",
  );
  // Neither writes an event: SIGINT ends the agent as a kill -9 would; the VM keeps running.
  const agent = new Deno.Command("sleep", { args: ["60"] }).spawn();
  const vm = new Deno.Command("sleep", { args: ["60"] }).spawn();
  await Deno.writeTextFile(`${dir}/ha.pid`, `${agent.pid}\n`);
  await Deno.writeTextFile(`${dir}/qemu.pid`, `${vm.pid}\n`);
  for (const log of ["ha.stdout.log", "ha.stderr.log"]) {
    await Deno.writeTextFile(`${dir}/${log}`, "");
  }
  const api = await serveAPI(`${dir}/ha.sock`, {
    info: () => ({ sshLocalPort: 60022 }),
  });
  try {
    await fn({ agent, vm });
  } finally {
    for (const p of [agent, vm]) {
      try {
        p.kill("SIGKILL");
      } catch {
        // Already ended.
      }
      await p.status;
    }
    await api.close();
    if (previous === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", previous);
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("stop fails at once when the host agent dies before the VM is down", () =>
  withRunningInstance(async ({ agent }) => {
    const started = Date.now();
    await assert.rejects(
      stopInstances(["vm"], { stoppedTimeoutMs: 30_000 }),
      (err: Error) => {
        assert.match(
          err.message,
          /the host agent exited before the instance shut down \(status `Broken`\)/,
        );
        assert.match(err.message, /limactl stop --force vm/);
        return true;
      },
    );
    assert.equal((await agent.status).signal, "SIGINT");
    assert.ok(
      Date.now() - started < 5000,
      "no wait for a stop that cannot come",
    );
  }));
