/** Every command's help in cobra's layout, as Lima prints it. */
import assert from "node:assert/strict";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { rootCommand } from "../../cli/app.ts";
import { registerCommands } from "../../cli/commands.ts";
import { isHelpTopic } from "../../cli/help.ts";
import { limactlExpect, tempLimaHome } from "./helpers.ts";

const limaHome = await tempLimaHome();

/** The command paths of the tree `limactl` builds, hidden commands and help topics left out. */
function commandPaths(): string[][] {
  const program = rootCommand();
  registerCommands(program, {
    drivers: () => Promise.reject(new Error("unused")),
  });
  const paths: string[][] = [];
  const walk = (cmd: CommandUnknownOpts, path: string[]) => {
    for (const sub of cmd.commands) {
      const hidden = (sub as unknown as { _hidden?: boolean })._hidden;
      if (hidden || isHelpTopic(sub)) continue;
      paths.push([...path, sub.name()]);
      walk(sub, [...path, sub.name()]);
    }
  };
  walk(program as unknown as CommandUnknownOpts, []);
  return paths;
}

Deno.test("every command's help has a summary, Usage, its -h flag and the Global Flags", async () => {
  const paths = commandPaths()
    // `limactl yq --help` is mikefarah yq's own help, as in Lima.
    .filter((p) => p[0] !== "yq");
  assert.ok(paths.length > 30, `only ${paths.length} commands found`);
  for (const path of paths) {
    const { stdout } = await limactlExpect(0, [...path, "--help"], {
      limaHome,
    });
    const where = `limactl ${path.join(" ")} --help:\n${stdout}`;
    const summary = stdout.split("\n")[0];
    assert.match(summary, /^[A-Z]\S*( \S+)+/, where);
    assert.match(stdout, /\n\nUsage:\n {2}limactl /, where);
    assert.match(
      stdout,
      new RegExp(`\\n {2}-h, --help +help for ${path.at(-1)}\\n`),
      where,
    );
    assert.match(
      stdout,
      /\nGlobal Flags:\n {6}--debug {15}Debug mode\n {6}--log-format string {3}Set the logging format \[text, json\] \(default "text"\)\n {6}--log-level string {4}Set the logging level/,
      where,
    );
  }
});

Deno.test("the root help has Lima's sections: examples, groups, flags, help topics", async () => {
  const { stdout } = await limactlExpect(0, ["--help"], { limaHome });
  assert.match(
    stdout,
    /^Lima: Linux virtual machines\n\nUsage:\n {2}limactl \[command\]\n\nExamples:\n {2}Start the default instance:\n {2}\$ limactl start\n/,
  );
  assert.match(
    stdout,
    /\nBasic Commands:\n {2}create {14}Create an instance of Lima\n/,
  );
  assert.match(stdout, /\nAdvanced Commands:\n/);
  assert.match(
    stdout,
    /\nAdditional Commands:\n(.*\n)* {2}help {16}Help about any command\n/,
  );
  assert.match(
    stdout,
    /\nFlags:\n(.*\n)* {2}-v, --version {13}version for limactl\n/,
  );
  assert.doesNotMatch(stdout, /Global Flags:/);
  assert.match(
    stdout,
    /\nUse "limactl \[command\] --help" for more information about a command\.\n$/,
  );
});

Deno.test("create --help has Lima's examples and pflag's flag columns", async () => {
  const { stdout } = await limactlExpect(0, ["create", "--help"], { limaHome });
  assert.match(
    stdout,
    /^Create an instance of Lima\n\nUsage:\n {2}limactl create FILE\.yaml\|URL \[flags\]\n\nExamples:\n {2}To create an instance "default" from the default Ubuntu template:\n/,
  );
  assert.match(
    stdout,
    /\n {2}Note: Some yq operators are restricted\. See 'limactl help yq-restrictions'\.\n/,
  );
  assert.match(stdout, /\n {6}--cpus int +Number of CPUs\n/);
  assert.match(
    stdout,
    /\n {6}--set stringArray +Modify the template inplace/,
  );
});

Deno.test("start --help lists the flags it shares with create apart, as Lima does", async () => {
  const { stdout } = await limactlExpect(0, ["start", "--help"], { limaHome });
  const [own, create] = stdout.split(
    "\nFlags inherited from `limactl create`:\n",
  );
  assert.ok(create, stdout);
  assert.match(
    own,
    /\nFlags:\n(.*\n)* {6}--timeout duration {2}Duration to wait/,
  );
  assert.doesNotMatch(own, /--cpus/);
  assert.match(create, /^ {6}--arch string {7}Machine architecture/);
  assert.match(create, /\n {6}--set strings {7}Modify the template inplace/);
  assert.doesNotMatch(create, /\[limactl create\]/);
  assert.match(create, /\n\nGlobal Flags:\n/);
});
