import assert from "node:assert/strict";
import { Directive } from "../../core/completion/directive.ts";
import { answer } from "./answer.ts";
import type { CompletionCommand, CompletionFlag } from "./tree.ts";

function flag(
  name: string,
  more: Partial<CompletionFlag> = {},
): CompletionFlag {
  return {
    name,
    needsValue: false,
    repeatable: false,
    persistent: false,
    hidden: false,
    usage: `the ${name} flag`,
    ...more,
  };
}

/** limactl with `--log-level`, `shell NAME CMD…` (flags end at NAME) and `list [-f FORMAT] [--yq X]…`. */
function tree(): CompletionCommand {
  const root: CompletionCommand = {
    name: "limactl",
    aliases: [],
    summary: "",
    hidden: false,
    interspersed: true,
    parsesFlags: true,
    flags: [
      flag("log-level", { needsValue: true, persistent: true }),
      flag("help", { short: "h" }),
    ],
    subcommands: [],
  };
  const instances = () => ({
    candidates: ["alpha", "beta"],
    directive: Directive.noFileComp,
  });
  const command = (
    name: string,
    flags: CompletionFlag[],
    more: Partial<CompletionCommand> = {},
  ): CompletionCommand => ({
    name,
    aliases: [],
    summary: `${name} things`,
    hidden: false,
    interspersed: true,
    parsesFlags: true,
    flags: [...flags, flag("help", { short: "h" })],
    subcommands: [],
    parent: root,
    complete: instances,
    ...more,
  });
  root.subcommands = [
    command("shell", [flag("workdir", { needsValue: true })], {
      interspersed: false,
    }),
    command("list", [
      flag("format", {
        short: "f",
        needsValue: true,
        complete: () => ({
          candidates: ["json", "yaml"],
          directive: Directive.noFileComp,
        }),
      }),
      flag("yq", { needsValue: true, repeatable: true }),
      flag("quiet", { short: "q" }),
    ], { aliases: ["ls"] }),
    command("hidden", [], { hidden: true }),
    command("plugin", [], { parsesFlags: false, complete: undefined }),
  ];
  return root;
}

const complete = async (...words: string[]) =>
  (await answer(tree(), words)).completion;

Deno.test("sub-commands with their summaries, hidden ones left out", async () => {
  assert.deepEqual(await complete(""), {
    candidates: [
      "list\tlist things",
      "plugin\tplugin things",
      "shell\tshell things",
    ],
    directive: Directive.noFileComp,
  });
});

Deno.test("an alias finds its command; a flag's value is told from an argument", async () => {
  assert.deepEqual((await complete("ls", "-f", "")).candidates, [
    "json",
    "yaml",
  ]);
  assert.deepEqual((await complete("ls", "--format=")).candidates, [
    "json",
    "yaml",
  ]);
  assert.deepEqual((await complete("list", "-q", "")).candidates, [
    "alpha",
    "beta",
  ]);
  assert.deepEqual(
    (await complete("--log-level", "debug", "list", "-f", "")).candidates,
    ["json", "yaml"],
  );
});

Deno.test("flag names: inherited first, a given flag only again when it repeats", async () => {
  assert.deepEqual(
    (await complete("list", "-f", "json", "--yq", "x", "--")).candidates,
    [
      "--log-level\tthe log-level flag",
      "--help\tthe help flag",
      "--quiet\tthe quiet flag",
      "--yq\tthe yq flag",
    ],
  );
});

Deno.test("after -- or past shell's instance, a -word is an argument", async () => {
  assert.deepEqual((await complete("list", "--", "-")).candidates, [
    "alpha",
    "beta",
  ]);
  assert.deepEqual((await complete("shell", "alpha", "--w")).candidates, [
    "alpha",
    "beta",
  ]);
  assert.deepEqual((await complete("shell", "--w")).candidates, [
    "--workdir\tthe workdir flag",
  ]);
});

Deno.test("help, unknown commands and unknown flags end completion", async () => {
  assert.deepEqual(await complete("list", "--help", ""), {
    candidates: [],
    directive: Directive.noFileComp,
  });
  const unknown = await answer(tree(), ["bogus", ""]);
  assert.deepEqual(unknown.completion.candidates, []);
  assert.match(unknown.error ?? "", /unable to find a command/);
  const badFlag = await answer(tree(), ["list", "--bogus", ""]);
  assert.match(badFlag.error ?? "", /unknown flag: --bogus/);
});

Deno.test("a plugin's own flags are its arguments: file names, not parse errors", async () => {
  assert.deepEqual(await complete("plugin", "--its-own", ""), {
    candidates: [],
    directive: Directive.default,
  });
  assert.deepEqual((await complete("plugin", "--log")).candidates, [
    "--log-level\tthe log-level flag",
  ]);
});
