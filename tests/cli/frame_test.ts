/** The command frame: version, help, global flags, usage errors and completion scripts. */
import assert from "node:assert/strict";
import { assertFatal, limactlExpect, tempLimaHome } from "./helpers.ts";

const limaHome = await tempLimaHome();

Deno.test("--version prints a semver of at least 2.2.0", async () => {
  const { stdout } = await limactlExpect(0, ["--version"], { limaHome });
  const m = /^limactl version (\d+)\.(\d+)\.(\d+)\n$/.exec(stdout);
  assert.ok(m, stdout);
  assert.ok(Number(m[1]) * 1000 + Number(m[2]) >= 2002, stdout);
});

Deno.test("help lists the commands", async () => {
  const { stdout } = await limactlExpect(0, ["--help"], { limaHome });
  for (
    const command of [
      "create",
      "list",
      "validate",
      "template",
      "completion",
      "info",
    ]
  ) {
    assert.match(stdout, new RegExp(`\\n  ${command}\\b`), command);
  }
});

Deno.test("help yq-restrictions prints Lima's help topic, which the root help lists", async () => {
  for (const args of [["help", "yq-restrictions"], ["yq-restrictions"]]) {
    const { stdout } = await limactlExpect(0, args, { limaHome });
    assert.match(
      stdout,
      /^Lima uses yq \(v4\) syntax for the --set flag and provision mode "yq"\.\n/,
    );
    assert.match(stdout, /- load, load_str {4}\(arbitrary file reads\)\n/);
    assert.match(stdout, /\n {2}https:\/\/mikefarah\.gitbook\.io\/yq\/\n\n$/);
  }
  const { stdout } = await limactlExpect(0, ["--help"], { limaHome });
  assert.match(
    stdout,
    /\nAdditional help topics:\n {2}limactl yq-restrictions +Restrictions on yq expressions in Lima\n/,
  );
});

Deno.test("an unknown command is fatal and suggests the closest one", async () => {
  const { stderr } = await limactlExpect(1, ["lst"], { limaHome });
  assertFatal(
    stderr,
    'unknown command "lst" for "limactl" (hint: did you mean …',
  );
  assert.match(stderr, /did you mean [^"]*\blist\b/);
});

Deno.test("bare limactl prints the help to stdout and exits 0, as cobra does", async () => {
  for (const args of [[], ["--debug"], ["--log-level", "debug"]]) {
    const { stdout, stderr } = await limactlExpect(0, args, { limaHome });
    assert.match(stdout, /Basic Commands:/);
    assert.equal(stderr, "");
  }
});

Deno.test("a command that only groups others prints its help to stdout and exits 0, as cobra does", async () => {
  for (
    const [args, usage] of [
      [["disk"], "limactl disk [command]"],
      [["snapshot", "nosuch"], "limactl snapshot [command]"],
      [["network"], "limactl network [command]"],
      [["completion"], "limactl completion [command]"],
    ] as const
  ) {
    const { stdout, stderr } = await limactlExpect(0, [...args], { limaHome });
    assert.ok(stdout.includes(`\nUsage:\n  ${usage}\n`), stdout);
    assert.equal(stderr, "");
  }
  // Flags are still parsed first: an unknown one is an error.
  const { stderr } = await limactlExpect(1, ["disk", "--nosuch"], {
    limaHome,
  });
  assertFatal(stderr, "unknown flag: --nosuch");
});

Deno.test("an unknown command fails also with --help", async () => {
  for (
    const args of [
      ["nosuch", "--help"],
      ["nosuch", "-h"],
      ["--help", "nosuch"],
      ["--log-level", "debug", "nosuch", "--help"],
    ]
  ) {
    const { stdout, stderr } = await limactlExpect(1, args, { limaHome });
    assertFatal(stderr, 'unknown command "nosuch" for "limactl"');
    assert.equal(stdout, "");
  }
  await limactlExpect(0, ["ls", "--help"], { limaHome });
});

Deno.test("an unknown flag is fatal and names the flag", async () => {
  const { stderr } = await limactlExpect(1, ["list", "--bogus"], { limaHome });
  assertFatal(stderr, "unknown flag: --bogus");
});

Deno.test("too many arguments name the command", async () => {
  const { stderr } = await limactlExpect(
    1,
    ["template", "copy", "a", "b", "c"],
    { limaHome },
  );
  assert.match(stderr, /accepts at most 2 arg\(s\), received 3/);
});

Deno.test("--log-format accepts text and json only", async () => {
  const bad = await limactlExpect(1, ["--log-format=xml", "template", "list"], {
    limaHome,
  });
  assert.match(bad.stderr, /unsupported log-format: \\"xml\\"/);
  const json = await limactlExpect(1, [
    "--log-format",
    "json",
    "validate",
    "/nonexistent.yaml",
  ], { limaHome });
  const record = JSON.parse(json.stderr.trim().split("\n").at(-1)!);
  assert.equal(record.level, "fatal");
  assert.match(record.msg, /nonexistent\.yaml/);
});

Deno.test("--tty and --yes cannot be combined; --tty=false is accepted", async () => {
  const { stderr } = await limactlExpect(1, [
    "--tty",
    "--yes",
    "template",
    "list",
  ], { limaHome });
  assertFatal(stderr, "cannot use both --tty and --yes flags at the same time");
  await limactlExpect(0, ["--tty=false", "template", "list"], { limaHome });
});

Deno.test("--log-level filters log lines, also when given after the command", async () => {
  const normal = await limactlExpect(0, ["template", "list"], { limaHome });
  const quiet = await limactlExpect(0, [
    "template",
    "list",
    "--log-level=error",
  ], { limaHome });
  assert.match(
    normal.stderr,
    /level=warning msg="`limactl template` is experimental"/,
  );
  assert.equal(quiet.stderr, "");
  await limactlExpect(1, ["--log-level=loud", "template", "list"], {
    limaHome,
  });
});

for (const shell of ["bash", "zsh", "fish", "powershell"]) {
  Deno.test(`completion ${shell} prints a script for limactl`, async () => {
    const { stdout } = await limactlExpect(0, ["completion", shell], {
      limaHome,
    });
    assert.match(stdout, /limactl/);
    assert.ok(stdout.split("\n").length > 20, "a real script, not a stub");
  });
}

Deno.test("completion without a known shell shows its help, as cobra does", async () => {
  const { stdout } = await limactlExpect(0, ["completion", "tcsh"], {
    limaHome,
  });
  assert.match(stdout, /Usage:\n {2}limactl completion/);
});

Deno.test("the completion callback answers cobra's protocol: candidates, then :directive", async () => {
  const { stdout } = await limactlExpect(0, ["__complete", "templ"], {
    limaHome,
  });
  assert.equal(
    stdout,
    "template\tLima template management (EXPERIMENTAL)\n:4\n",
  );
  const flags = await limactlExpect(0, [
    "__complete",
    "show-ssh",
    "--format",
    "",
  ], {
    limaHome,
  });
  assert.equal(flags.stdout, "cmd\nargs\noptions\nconfig\n:4\n");
  const unknown = await limactlExpect(0, ["__complete", "bogus", ""], {
    limaHome,
  });
  assert.equal(unknown.stdout, ":0\n");
});
