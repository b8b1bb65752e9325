import assert from "node:assert/strict";
import { listCommand } from "./list.ts";
import {
  LIST_FLAGS,
  type ListInvocation,
  listInvocation,
  parseListArgs,
} from "./list_flags.ts";

/** What the commander command makes of `limactl list ARGS`. */
async function viaCommander(args: string[]): Promise<ListInvocation> {
  let got: ListInvocation | undefined;
  const command = listCommand().exitOverride();
  command.action((names, _opts, cmd) => {
    got = listInvocation(
      names,
      cmd.opts(),
      cmd.getOptionValueSource("format") === "cli",
    );
  });
  await command.parseAsync(args, { from: "user" });
  assert.ok(got, `commander did not run list for ${args.join(" ")}`);
  return got;
}

Deno.test("plain list command lines parse without commander, exactly as commander parses them", async () => {
  const lines = [
    [],
    ["--json"],
    ["--format", "json"],
    ["--format=yaml"],
    ["-f", "{{.Name}} {{.Status}}"],
    ["-q"],
    ["--quiet", "--all-fields"],
    ["--list-fields"],
    ["default", "other"],
    ["default", "--json", "other"],
    ["--yq", ".name", "--yq=.cpus", "--json"],
    ["--filter", ".cpus == 2", "-l", '.name == "a"', "-q"],
    ["--format", "json", "--format", "table"],
    ["--format="],
    ["-"],
  ];
  for (const line of lines) {
    for (const command of ["list", "ls"]) {
      const fast = parseListArgs([command, ...line]);
      assert.ok(fast, `${command} ${line.join(" ")} fell back to commander`);
      assert.deepEqual(fast, await viaCommander(line), line.join(" "));
    }
  }
});

Deno.test("anything but a plain list command line is left to the command tree", () => {
  const lines = [
    ["list", "-h"],
    ["list", "--help"],
    ["ls", "--bogus"],
    ["list", "--debug"],
    ["list", "--log-level", "debug"],
    ["list", "--tty"],
    ["list", "-y"],
    ["list", "--json=true"],
    ["list", "--no-json"],
    ["list", "-qf", "table"],
    ["list", "-fjson"],
    ["list", "--format"],
    ["list", "--format", "-q"],
    ["list", "--", "default"],
    ["list", "-5"],
    ["--debug", "list"],
    ["create", "--name", "x"],
    ["help", "list"],
    [],
  ];
  for (const line of lines) {
    assert.equal(parseListArgs(line), undefined, line.join(" "));
  }
});

Deno.test("the commander command offers exactly the flags of the table, in its order", () => {
  const options = listCommand().options.filter((o) => !o.negate);
  assert.deepEqual(
    options.map((o) => o.long),
    LIST_FLAGS.map((f) => `--${f.name}`),
  );
  assert.deepEqual(
    options.map((o) => o.short),
    LIST_FLAGS.map((f) => f.short ? `-${f.short}` : undefined),
  );
});
