/**
 * boot.sh's provisioning as a guest runs it, checked on this machine: `yq` provisions evaluated
 * by the host agent's part (`hostagent/_guest_yq_local.ts`; the host's `yq`, if any, is not
 * mikefarah's), and every failed provision recorded with its exit status and output the way
 * the host agent reads them back. The runs need root and a private mount namespace (`unshare`)
 * with its own /run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  provisionFailures,
  READ_PROVISION_ERRORS,
} from "../../hostagent/requirements.ts";
import { yqProvisions } from "../../hostagent/yq_provision.ts";
import { canIsolate, isolated, writeSeed } from "../_isolated.ts";
import { IMAGES, seedOptions } from "../_test_config.ts";
import { seedFiles } from "../seed.ts";

if (!canIsolate) {
  console.error("provision_run_test: skipped (needs root and unshare)");
}

const hostYq =
  new URL("../../hostagent/_guest_yq_local.ts", import.meta.url).pathname;
const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * Writes the seed of lima.yaml TEXT to a directory and runs its boot.sh with a private /run,
 * with BIN, if given, first in PATH.
 */
async function boot(dir: string, text: string, bin?: string) {
  const seed = join(dir, "seed");
  const options = seedOptions(IMAGES + text);
  await writeSeed(seed, seedFiles(options));
  const provisions = JSON.stringify(yqProvisions(options.config));
  const out = await isolated([
    "mount -t tmpfs tmpfs /run || exit 1",
    `${q(Deno.execPath())} run -A ${q(hostYq)} ${q(options.instanceID ?? "")} ${
      q(provisions)
    } &`,
    "host=$!",
    `${
      bin ? `PATH=${q(bin)}:$PATH ` : ""
    }LIMA_CIDATA_MNT='${seed}' '${seed}/boot.sh'`,
    'echo "exit=$?"',
    'kill "$host"',
    'echo "done=$(cat /run/lima-boot-done)"',
    "echo ERRORS",
    READ_PROVISION_ERRORS,
  ]);
  const [log, errors = ""] = out.stdout.split("ERRORS\n");
  const failures = provisionFailures(errors);
  return { log, failures, stderr: out.stderr };
}

/** Runs FN with a fresh temporary directory, removed afterwards. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "limactl-prov-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "yq provisions create and edit files without a yq in the guest",
  ignore: !canIsolate,
}, () =>
  inTempDir(async (dir) => {
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
    // limactl's yq, like Lima's, keeps comments and flow style.
    assert.equal(await Deno.readTextFile(yaml), "# kept?\nlist: [a, b]\n");
  }));

Deno.test({
  name: "yq provisions use the guest's yq when it is mikefarah's",
  ignore: !canIsolate,
}, () =>
  inTempDir(async (dir) => {
    const bin = join(dir, "bin");
    await Deno.mkdir(bin);
    // Prints its arguments in place of the edited document.
    await Deno.writeTextFile(
      join(bin, "yq"),
      '#!/bin/sh\n[ "$1" = --version ] && echo "yq (https://github.com/mikefarah/yq/) version v4.44.1" && exit\necho "$*"\n',
      { mode: 0o755 },
    );
    const conf = join(dir, "conf.toml");
    await Deno.writeTextFile(conf, "a = 1\n");
    const r = await boot(
      dir,
      [
        "plain: true",
        "provision:",
        `- {mode: yq, path: ${conf}, expression: .a = 2}`,
        `- {mode: yq, path: ${dir}/new.yaml, expression: .b = 3}`,
      ].join("\n") + "\n",
      bin,
    );
    assert.deepEqual(r.failures, [], r.log + r.stderr);
    assert.doesNotMatch(r.log, /Waiting for the host agent/);
    assert.match(
      await Deno.readTextFile(conf),
      /^--from-file \S+\/provision\.yq\/00000000 --output-format toml --input-format toml \/run\/lima-yq\/00000000\.toml\n$/,
    );
    assert.match(
      await Deno.readTextFile(join(dir, "new.yaml")),
      /^--from-file \S+\/provision\.yq\/00000001 --output-format yaml --null-input\n$/,
    );
  }));

Deno.test({
  name:
    "failed provisions of every guest mode are recorded with status and output",
  ignore: !canIsolate,
}, () =>
  inTempDir(async (dir) => {
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
      /^provision\[3\] \(mode: yq\) failed with exit status 1; its last output lines:\n {2}.*new\.json: failed to evaluate yq expression `\.a = `: 1:6: unexpected end of expression$/,
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
  }));
