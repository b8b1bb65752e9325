/**
 * Shell completion as a user meets it: the script of `limactl completion SHELL` loaded in a
 * real bash (with bash-completion) and zsh on a pseudo-terminal, and in fish, pressing Tab.
 * PowerShell is not installed here (Debian has no package), so its script is compared with
 * a reviewed copy instead.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { limactlExpect, tempLimaHome } from "./helpers.ts";
import { InteractiveShell } from "../fixtures/interactive_shell.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const GOLDEN = new URL("../fixtures/completion/limactl.ps1", import.meta.url);
const CI = Deno.env.get("CI") === "true";

const limaHome = await tempLimaHome();
const INSTANCES = ["alpha", "beta"];
for (const name of INSTANCES) await Deno.mkdir(join(limaHome, name));

/**
 * A directory for PATH with `limactl` (this checkout) and a fake `ssh` that leaves a mark:
 * `show-ssh`'s help text names `ssh -F` in backticks, which a shell must never run.
 */
const bin = await Deno.makeTempDir({ prefix: "completion-bin-" });
const sshMark = join(bin, "ssh-was-run");
await Deno.writeTextFile(
  join(bin, "limactl"),
  `#!/bin/sh\nexec "${Deno.execPath()}" run -A --quiet "${MAIN}" "$@"\n`,
  { mode: 0o755 },
);
await Deno.writeTextFile(join(bin, "ssh"), `#!/bin/sh\ntouch "${sshMark}"\n`, {
  mode: 0o755,
});
addEventListener("unload", () => {
  Deno.removeSync(bin, { recursive: true });
  Deno.removeSync(limaHome, { recursive: true });
});
const env = {
  PATH: `${bin}:${Deno.env.get("PATH")}`,
  LIMA_HOME: limaHome,
  DENO_NO_PROMPT: "1",
};

async function script(shell: string, ...flags: string[]): Promise<string> {
  const { stdout } = await limactlExpect(0, ["completion", shell, ...flags], {
    limaHome,
  });
  const file = join(bin, `limactl.${shell}`);
  await Deno.writeTextFile(file, stdout);
  return file;
}

/** The command names `limactl --help` lists, and `help`. */
async function commandNames(): Promise<string[]> {
  const { stdout } = await limactlExpect(0, ["--help"], { limaHome });
  const names: string[] = [];
  let inCommands = false;
  for (const line of stdout.split("\n")) {
    // `mcp` is built in but listed where Lima lists its plugin.
    if (/^\S/.test(line)) {
      inCommands = /Commands:$|^Available Plugins/.test(line);
    }
    const m = /^ {2}([a-z][\w-]*)/.exec(line);
    if (inCommands && m) names.push(m[1]);
  }
  return names.sort();
}

const available = async (cmd: string) =>
  (await new Deno.Command("sh", {
    args: ["-c", `command -v ${cmd}`],
    stdout: "null",
  }).output()).success;

const BASH_COMPLETION = "/usr/share/bash-completion/bash_completion";
const hasBash = await available("bash") &&
  await Deno.stat(BASH_COMPLETION).then(() => true, () => false);
const hasZsh = await available("zsh");
const hasFish = await available("fish");

/** A test that needs SHELL: skipped without it, except under CI=true (`.ci/run` installs it). */
function shellTest(
  present: boolean,
  name: string,
  fn: () => Promise<void>,
): void {
  Deno.test({ name, ignore: !present && !CI, fn });
}

/** An interactive bash with bash-completion and the limactl script loaded. */
async function startBash(): Promise<InteractiveShell> {
  const rc = join(bin, "bashrc");
  await Deno.writeTextFile(
    rc,
    `PS1='PROMPT> '
source ${BASH_COMPLETION}
source ${await script("bash")}
bind 'set completion-display-width 0'
bind 'set completion-query-items 0'
bind 'set page-completions off'
bind 'set show-all-if-ambiguous on'
bind 'set enable-bracketed-paste off'
bind 'set bell-style none'
bind -x '"\\C-t": printf "<BUF>%s</BUF>\\n" "$READLINE_LINE"'
`,
  );
  return await InteractiveShell.start(
    `bash --noprofile --rcfile ${rc} -i`,
    env,
  );
}

/** The names of a bash listing: each line is `name` or `name  (description)`. */
function listedNames(listing: string[]): string[] {
  for (const line of listing) {
    assert.match(line, /^\S+( +\(.*\))?$/, `a listing line: ${line}`);
  }
  return listing.map((line) => line.split(" ")[0]).sort();
}

shellTest(
  hasBash,
  "bash: Tab after limactl lists exactly the commands, each with a one-line description",
  async () => {
    const bash = await startBash();
    try {
      const { listing } = await bash.complete("limactl ");
      assert.deepEqual(listedNames(listing), await commandNames());
      assert.ok(
        listing.some((l) => /^shell +\(Execute shell in Lima\)$/.test(l)),
        listing.join("\n"),
      );
    } finally {
      await bash.close();
    }
  },
);

shellTest(
  hasBash,
  "bash: no command from a help text is run (show-ssh's `ssh -F`)",
  async () => {
    await Deno.remove(sshMark).catch(() => {});
    const bash = await startBash();
    let listing: string[];
    try {
      listing = (await bash.complete("limactl sh")).listing;
      await bash.complete("limactl ");
    } finally {
      await bash.close();
    }
    assert.equal(
      await Deno.stat(sshMark).then(() => true, () => false),
      false,
      "ssh was run",
    );
    assert.deepEqual(listedNames(listing), ["shell", "show-ssh"]);
    assert.ok(listing.some((l) => l.includes("use `ssh -F` instead")));
  },
);

shellTest(
  hasBash,
  "bash: instance names, templates and flag values complete",
  async () => {
    const bash = await startBash();
    try {
      const shell = await bash.complete("limactl shell ");
      assert.deepEqual(listedNames(shell.listing), INSTANCES);
      assert.equal(
        (await bash.complete("limactl shell al")).buffer,
        "limactl shell alpha ",
      );
      const templates = await bash.complete("limactl create template:deb");
      assert.ok(
        templates.listing.includes("debian-12"),
        templates.listing.join(),
      );
      assert.equal(templates.buffer, "limactl create template:debian");
      assert.equal(
        (await bash.complete("limactl create template:alpine-3")).buffer,
        "limactl create template:alpine-3.23 ",
      );
      const vmTypes = await bash.complete("limactl create --vm-type ");
      assert.ok(listedNames(vmTypes.listing).includes("qemu"));
      assert.equal(
        (await bash.complete("limactl create --vm-type=qe")).buffer,
        "limactl create --vm-type=qemu ",
      );
      assert.equal(
        (await bash.complete("limactl start --set .vmType=qe")).buffer,
        "limactl start --set .vmType=qemu",
      );
    } finally {
      await bash.close();
    }
  },
);

/** An interactive zsh with compinit and the script; Tab inserts every match, so the line shows them. */
async function startZsh(): Promise<InteractiveShell> {
  const dir = await Deno.makeTempDir({ dir: bin });
  await Deno.writeTextFile(
    join(dir, ".zshrc"),
    `PS1='PROMPT> '
unsetopt beep
autoload -U compinit && compinit -u -D
source ${await script("zsh")}
_test_insert_all() { compstate[insert]=all; compstate[list]='' }
_test_complete_all() { comppostfuncs=(_test_insert_all); zle complete-word }
zle -N _test_complete_all
bindkey '^I' _test_complete_all
_test_print_buffer() { zle -I; print -r -- "<BUF>$BUFFER</BUF>" }
zle -N _test_print_buffer
bindkey '^T' _test_print_buffer
`,
  );
  return await InteractiveShell.start("zsh -i", { ...env, ZDOTDIR: dir });
}

/** The words Tab inserted after LINE. */
async function zshMatches(zsh: InteractiveShell, line: string) {
  const { buffer } = await zsh.complete(line);
  assert.ok(buffer.startsWith(line.replace(/\S*$/, "")), buffer);
  return buffer.slice(line.replace(/\S*$/, "").length).trim().split(/\s+/)
    .sort();
}

shellTest(
  hasZsh,
  "zsh: commands, instances, templates and flag values complete",
  async () => {
    const zsh = await startZsh();
    try {
      assert.deepEqual(await zshMatches(zsh, "limactl "), await commandNames());
      assert.deepEqual(await zshMatches(zsh, "limactl shell "), INSTANCES);
      assert.deepEqual(
        await zshMatches(zsh, "limactl create template:debian-1"),
        [
          "template:debian-11",
          "template:debian-12",
          "template:debian-13",
        ],
      );
      assert.ok(
        (await zshMatches(zsh, "limactl create --vm-type=")).includes(
          "--vm-type=qemu",
        ),
      );
      assert.deepEqual(await zshMatches(zsh, "limactl create --vm-type q"), [
        "qemu",
      ]);
    } finally {
      await zsh.close();
    }
  },
);

/** What fish offers for LINE: `complete -C` prints `candidate<TAB>description` lines. */
async function fishComplete(line: string): Promise<string[]> {
  const file = await script("fish");
  const out = await new Deno.Command("fish", {
    args: ["--no-config", "-c", `source ${file}; complete -C "$argv[1]"`, line],
    env,
    stdout: "piped",
  }).output();
  assert.ok(out.success);
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l);
}

shellTest(
  hasFish,
  "fish: commands with descriptions, instances, templates and flag values complete",
  async () => {
    assert.deepEqual(await fishComplete("limactl sta"), [
      "start\tStart an instance of Lima",
    ]);
    assert.deepEqual(await fishComplete("limactl shell "), INSTANCES);
    assert.deepEqual(await fishComplete("limactl create template:debian-1"), [
      "template:debian-11",
      "template:debian-12",
      "template:debian-13",
    ]);
    assert.ok(
      (await fishComplete("limactl create --vm-type=")).includes(
        "--vm-type=qemu",
      ),
    );
    assert.deepEqual(await fishComplete("limactl create --vm-type q"), [
      "qemu",
    ]);
  },
);

Deno.test("--no-descriptions gives scripts that ask for names only", async () => {
  for (const shell of ["bash", "zsh", "fish", "powershell"]) {
    const { stdout } = await limactlExpect(
      0,
      ["completion", shell, "--no-descriptions"],
      { limaHome },
    );
    assert.match(stdout, /__completeNoDesc/, shell);
  }
  const { stdout } = await limactlExpect(0, ["__completeNoDesc", "sta"], {
    limaHome,
  });
  assert.equal(stdout, "start\n:4\n");
});

Deno.test("completion --help explains the shells as Lima does", async () => {
  const { stdout } = await limactlExpect(0, ["completion", "--help"], {
    limaHome,
  });
  assert.match(
    stdout,
    /Generate the autocompletion script for limactl for the specified shell\./,
  );
  for (const shell of ["bash", "fish", "powershell", "zsh"]) {
    assert.match(
      stdout,
      new RegExp(`${shell}.*Generate the autocompletion script for ${shell}`),
    );
  }
  // cobra's completion command has no Run, and its bash command no `[flags]` in its usage.
  assert.match(stdout, /\nUsage:\n {2}limactl completion \[command\]\n\n/);
  const bash = await limactlExpect(0, ["completion", "bash", "--help"], {
    limaHome,
  });
  assert.match(bash.stdout, /\nUsage:\n {2}limactl completion bash\n\n/);
  assert.match(bash.stdout, /source <\(limactl completion bash\)/);
  assert.match(
    bash.stdout,
    /--no-descriptions +disable completion descriptions/,
  );
});

Deno.test("the PowerShell script is the reviewed one (pwsh is not installed to run it)", async () => {
  const { stdout } = await limactlExpect(0, ["completion", "powershell"], {
    limaHome,
  });
  assert.equal(stdout, await Deno.readTextFile(GOLDEN));
  assert.doesNotMatch(stdout, /Invoke-Expression/);
});
