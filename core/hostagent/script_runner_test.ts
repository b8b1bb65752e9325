import assert from "node:assert/strict";
import type { LimaYAML } from "../config/schema.ts";
import type { RunResult, SSHConnection } from "../ssh/client.ts";
import type { SSHTarget } from "../ssh/target.ts";
import { essentialRequirements, type Requirement } from "./requirements.ts";
import { scriptRunner } from "./script_runner.ts";

const target: SSHTarget = {
  name: "vm",
  instDir: "/nonexistent",
  host: "127.0.0.1",
  port: 1,
  user: "lima",
  identityFiles: [],
  forwardAgent: false,
};

/** A runner over a pool whose one connection records the commands and answers with RESULT. */
function fakeRunner(result: Partial<RunResult> = {}) {
  const commands: string[] = [];
  let logins = 0;
  const conn = {
    run: (command: string) => {
      commands.push(command);
      return Promise.resolve({
        code: 0,
        stdout: new Uint8Array(),
        stderr: new Uint8Array(),
        ...result,
      });
    },
  } as unknown as SSHConnection;
  const pool = {
    get: () => {
      logins++;
      return Promise.resolve(conn);
    },
  };
  const progress = { sshdAnswered: () => {}, loginRefused: () => {} };
  const run = scriptRunner(pool, target, {} as LimaYAML, progress);
  return { run, commands, logins: () => logins };
}

const signal = new AbortController().signal;

Deno.test("the ControlMaster requirement is met by the open connection, with no session in the guest", async () => {
  const master = essentialRequirements({ mounts: [] } as LimaYAML, "iid-1")
    .find((r) => r.description === "Explicitly start ssh ControlMaster")!;
  const { run, commands, logins } = fakeRunner();
  assert.equal(await run(master, signal), undefined);
  assert.equal(logins(), 1);
  assert.deepEqual(commands, []);
});

Deno.test("a script runs over the pooled connection and its output reaches the requirement", async () => {
  let output = "";
  const req: Requirement = {
    description: "probe",
    script: "#!/bin/bash\necho ok\n",
    debugHint: "",
    onSuccess: (stdout) => output = stdout,
  };
  const ok = fakeRunner({ stdout: new TextEncoder().encode("ok\n") });
  assert.equal(await ok.run(req, signal), undefined);
  assert.deepEqual(ok.commands, ["/bin/bash"]);
  assert.equal(output, "ok\n");

  const failing = fakeRunner({
    code: 3,
    stderr: new TextEncoder().encode("not yet\n"),
  });
  assert.equal(await failing.run(req, signal), "exit status 3: not yet");
});
