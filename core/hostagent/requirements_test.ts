import assert from "node:assert/strict";
import type { LimaYAML } from "../config/schema.ts";
import {
  checkRequirements,
  essentialRequirements,
  finalRequirement,
  markerScript,
  optionalRequirements,
  printFileScript,
  provisionFailures,
  READ_PROVISION_ERRORS,
  type Requirement,
  scriptCommand,
} from "./requirements.ts";

const descriptions = (list: Requirement[]) => list.map((r) => r.description);

Deno.test("a Linux guest without mounts needs ssh, the session reset and the master", () => {
  assert.deepEqual(
    descriptions(essentialRequirements({ mounts: [] } as LimaYAML, "iid-1")),
    [
      "ssh",
      "user session is ready for ssh",
      "Explicitly start ssh ControlMaster",
    ],
  );
});

Deno.test("reverse-sshfs mounts need sshfs and fuse instead of the master", () => {
  const config = {
    mountType: "reverse-sshfs",
    mounts: [{ location: "~" }],
  } as LimaYAML;
  assert.deepEqual(descriptions(essentialRequirements(config, "iid-1")), [
    "ssh",
    "user session is ready for ssh",
    "sshfs binary to be installed",
    "fuse to allow_other as user",
  ]);
});

Deno.test("plain mode only checks ssh", () => {
  assert.deepEqual(
    descriptions(essentialRequirements({ plain: true } as LimaYAML, "iid-1")),
    ["ssh", "Explicitly start ssh ControlMaster"],
  );
});

Deno.test("containerd adds a fatal systemd check; probes follow", () => {
  const list = optionalRequirements({
    containerd: { system: false, user: true },
    probes: [{ description: "docker", script: "#!/bin/sh\ntrue\n", hint: "h" }],
  } as LimaYAML);
  assert.deepEqual(descriptions(list), [
    "systemd must be available",
    "containerd binaries to be installed",
    "docker",
  ]);
  assert.equal(list[0].fatal, true);
  assert.equal(list[2].userScript, true);
});

Deno.test("the final requirement compares the boot marker with this boot's instance id, then prints the failed provisions", () => {
  const { script } = finalRequirement("iid-42");
  assert.match(script ?? "", /lima-boot-done.*= iid-42 \] && \{ /);
  assert.ok(script?.includes(READ_PROVISION_ERRORS));
});

/** Runs FN with a new temporary directory, removed afterwards. */
async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs the bash SCRIPT with no PATH, so that only builtins work: its exit code and output. */
async function bashBuiltinsOnly(script: string) {
  const out = await new Deno.Command("/bin/bash", {
    args: ["-euc", script],
    env: { PATH: "" },
    clearEnv: true,
    stderr: "null",
  }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

Deno.test("the failed provisions are printed without starting a process, and nothing when there are none", () =>
  withTempDir(async (dir) => {
    const file = `${dir}/lima provision-errors`;
    const print = () => bashBuiltinsOnly(printFileScript(file));
    assert.deepEqual(await print(), { code: 0, stdout: "" });
    await Deno.writeTextFile(file, "");
    assert.deepEqual(await print(), { code: 0, stdout: "" });
    await Deno.writeTextFile(file, "provision[1] failed\n  \\oops  \n  last");
    assert.deepEqual(await print(), {
      code: 0,
      stdout: "provision[1] failed\n  \\oops  \n  last\n",
    });
  }));

Deno.test("a marker that is already written is found without making the pipe the wait sleeps on", () =>
  withTempDir(async (dir) => {
    const marker = `${dir}/lima-boot-done`;
    await Deno.writeTextFile(marker, "iid-7\n");
    const found = "[ -e /dev/fd/3 ] && echo pipe || echo none";
    const body = scriptCommand(markerScript(marker, "iid-7", 1, found)).stdin;
    assert.deepEqual(await bashBuiltinsOnly(body), {
      code: 0,
      stdout: "none\n",
    });
  }));

Deno.test("scripts run with the interpreter of their #! line", () => {
  assert.deepEqual(scriptCommand("#!/bin/bash\necho hi\n"), {
    command: "/bin/bash",
    stdin: "echo hi\n",
  });
  const wrapped = scriptCommand("#!/bin/sh\necho $PARAM_X\n", { params: true });
  assert.match(wrapped.command, /^\/bin\/bash -c '.*param\.env/s);
  assert.match(wrapped.command, /\n\/bin\/sh'$/);
  assert.equal(wrapped.stdin, "echo $PARAM_X\n");
});

Deno.test("a requirement is retried until it holds; a fatal failure ends its group", async () => {
  const attempts: Record<string, number> = {};
  const run = (req: Requirement) => {
    attempts[req.description] = (attempts[req.description] ?? 0) + 1;
    if (req.description === "eventually") {
      return Promise.resolve(attempts.eventually < 3 ? "not yet" : undefined);
    }
    return Promise.resolve("never");
  };
  const req = (description: string, fatal = false): Requirement => ({
    description,
    script: "#!/bin/sh\ntrue\n",
    debugHint: "hint",
    fatal,
  });
  const errors = await checkRequirements(
    "optional",
    [req("eventually"), req("broken", true), req("skipped")],
    run,
    { signal: new AbortController().signal, intervalMs: 1, timeoutMs: 50 },
  );
  assert.equal(attempts.eventually, 3);
  assert.equal(attempts.skipped, undefined);
  assert.equal(errors.length, 1);
  assert.match(
    errors[0],
    /^failed to satisfy the optional requirement 2 of 3 "broken": hint: never$/,
  );
});

Deno.test("a marker requirement waits in the guest until the marker holds the instance id", () =>
  withTempDir(async (dir) => {
    const marker = `${dir}/lima-boot-done`;
    const check = async (waitSeconds: number) => {
      const { command, stdin } = scriptCommand(
        markerScript(marker, "iid-7", waitSeconds, "echo found"),
      );
      const child = new Deno.Command(command, {
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(stdin));
      await writer.close();
      const out = await child.output();
      return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
    };
    await Deno.writeTextFile(marker, "iid-6\n");
    assert.deepEqual(
      await check(0.4),
      { code: 1, stdout: "" },
      "another boot's id does not count",
    );
    setTimeout(() => Deno.writeTextFileSync(marker, "iid-7\n"), 300);
    const started = performance.now();
    assert.deepEqual(await check(5), { code: 0, stdout: "found\n" });
    assert.ok(performance.now() - started < 3000, "it returns once written");
  }));

Deno.test("each failed provision script is one error, with its output", () => {
  const recorded =
    "provision[1] (mode: system) failed with exit status 3; its last output lines:\n  oops\n  provision[9] is mentioned\n" +
    "provision[2] (mode: user) failed with exit status 1 and printed nothing\n";
  const failures = provisionFailures(recorded);
  assert.equal(failures.length, 2);
  assert.equal(
    failures[0],
    "provision[1] (mode: system) failed with exit status 3; its last output lines:\n  oops\n  provision[9] is mentioned",
  );
  assert.equal(
    failures[1],
    "provision[2] (mode: user) failed with exit status 1 and printed nothing",
  );
  assert.deepEqual(
    provisionFailures(""),
    [],
  );
});
