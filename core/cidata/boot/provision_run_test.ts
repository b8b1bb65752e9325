/**
 * boot.sh's provisioning as a guest runs it, checked on this machine: `yq` provisions through
 * lima-yq (the host's `yq`, if any, is not mikefarah's), and every failed provision recorded
 * with its exit status and output the way the host agent reads them back. The runs need root
 * and a private mount namespace (`unshare`) with its own /run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { provisionFailures } from "../../hostagent/requirements.ts";
import {
  canIsolate,
  havePyYAML as python,
  isolated,
  writeSeed,
} from "../_isolated.ts";
import { IMAGES, seedOptions } from "../_test_config.ts";
import { seedFiles } from "../seed.ts";

if (!canIsolate || !python) {
  console.error(
    "provision_run_test: skipped (needs root, unshare and python3 with PyYAML)",
  );
}

/** Writes the seed of lima.yaml TEXT to a directory and runs its boot.sh with a private /run. */
async function boot(dir: string, text: string) {
  const seed = join(dir, "seed");
  await writeSeed(seed, seedFiles(seedOptions(IMAGES + text)));
  const out = await isolated([
    "mount -t tmpfs tmpfs /run || exit 1",
    `LIMA_CIDATA_MNT='${seed}' '${seed}/boot.sh'`,
    'echo "exit=$?"',
    'echo "done=$(cat /run/lima-boot-done)"',
    "echo ERRORS",
    "cat /run/lima-provision-errors 2>/dev/null",
  ]);
  const [log, errors = ""] = out.stdout.split("ERRORS\n");
  const failures = provisionFailures(errors);
  return { log, failures, stderr: out.stderr };
}

Deno.test({
  name: "yq provisions create and edit files without a yq in the guest",
  ignore: !canIsolate || !python,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-prov-" });
  try {
    const json = join(dir, "out/daemon.json");
    const yaml = join(dir, "conf.yml");
    await Deno.writeTextFile(yaml, "# kept?\nlist: [a]\n");
    const r = await boot(
      dir,
      [
        "plain: true",
        "param: {SNAPSHOTTER: 'false'}",
        "provision:",
        `- mode: yq`,
        `  path: ${json}`,
        "  expression: .features.cdi = true | .features.containerd-snapshotter = {{.Param.SNAPSHOTTER}}",
        "  permissions: '600'",
        `- {mode: yq, path: ${yaml}, expression: '.list += ["b"]'}`,
      ].join("\n") + "\n",
    );
    assert.deepEqual(r.failures, [], r.log + r.stderr);
    assert.match(r.log, /^exit=0$/m);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(json)), {
      features: { cdi: true, "containerd-snapshotter": false },
    });
    assert.equal((await Deno.stat(json)).mode! & 0o777, 0o600);
    assert.equal(await Deno.readTextFile(yaml), "list:\n- a\n- b\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "failed provisions of every guest mode are recorded with status and output",
  ignore: !canIsolate || !python,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-prov-" });
  try {
    const blocked = join(dir, "file");
    await Deno.writeTextFile(blocked, "");
    const r = await boot(
      dir,
      [
        "plain: true",
        "provision:",
        "- mode: system",
        "  script: |",
        "    #!/bin/sh",
        "    echo working",
        "    echo broken >&2",
        "    exit 7",
        "- {mode: system, script: 'exit 0'}",
        `- {mode: data, path: ${blocked}/below, content: x}`,
        `- {mode: yq, path: ${dir}/new.json, expression: '.a = '}`,
        "- mode: system",
        "  script: |",
        "    #!/bin/sh",
        "    exit 3",
      ].join("\n") + "\n",
    );
    assert.match(r.log, /^exit=1$/m);
    assert.match(r.log, /^done=iid-1700000000$/m, "boot.sh goes on to the end");
    assert.equal(r.failures.length, 4, r.log + r.stderr);
    assert.match(
      r.failures[0],
      /^provision\[2\] \(mode: data\) failed with exit status 1; its last output lines:\n {2}mkdir: .*\/file.*: File exists$/,
    );
    assert.match(
      r.failures[1],
      /^provision\[3\] \(mode: yq\) failed with exit status 1; its last output lines:\n {2}Error: unexpected end of expression$/,
    );
    assert.equal(
      r.failures[2],
      "provision[0] (mode: system) failed with exit status 7; its last output lines:\n  working\n  broken",
    );
    assert.equal(
      r.failures[3],
      "provision[4] (mode: system) failed with exit status 3 and printed nothing",
    );
    await assert.rejects(
      Deno.stat(join(dir, "new.json")),
      "a failed yq provision leaves no file behind",
    );
    assert.match(r.log, /^working$/m, "the output still goes to the log");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
