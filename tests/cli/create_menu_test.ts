/**
 * The menu `create` and `start` show on a terminal before creating an instance (Lima's
 * `chooseNextCreatorState`), driven with arrow keys through a pseudo-terminal. `create` is
 * used wherever an instance gets created, so no VM boots.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { exists } from "../../core/exists.ts";
import { limactlExpect, lines, tempLimaHome } from "./helpers.ts";
import {
  hasScript,
  KEY_DOWN,
  KEY_ENTER,
  onTerminalSession,
  type TerminalStep,
} from "./terminal_session.ts";

const ignore = !hasScript;
const MENU = "Creating an instance `x`";

/** Answers the main menu with the option DOWNS rows below the first. */
const choose = (downs: number, waitFor = MENU): TerminalStep => ({
  waitFor,
  send: KEY_DOWN.repeat(downs) + KEY_ENTER,
});

/** A LIMA_HOME and an `$EDITOR` script running SCRIPT with the file as `$1`. */
async function withEditor(script: string) {
  const limaHome = await tempLimaHome();
  const editor = join(limaHome, "editor.sh");
  await Deno.writeTextFile(editor, `#!/bin/sh\nset -e\n${script}\n`);
  await Deno.chmod(editor, 0o755);
  return { limaHome, env: { EDITOR: editor, VISUAL: "" } };
}

const lima = (limaHome: string) =>
  Deno.readTextFile(join(limaHome, "x", "lima.yaml"));

Deno.test({
  name: "the menu lists Lima's four choices; Exit creates nothing and exits 0",
  ignore,
  fn: async () => {
    const limaHome = await tempLimaHome();
    const run = await onTerminalSession(["create", "--name", "x"], {
      limaHome,
      steps: [choose(3)],
    });
    assert.equal(run.code, 0, run.screen);
    for (
      const option of [
        "Proceed with the current configuration",
        "Open an editor to review or modify the current configuration",
        "Choose another template (docker, podman, archlinux, fedora, ...)",
        "Exit",
      ]
    ) assert.ok(run.screen.includes(option), run.screen);
    assert.ok(!await exists(join(limaHome, "x")), "nothing was created");
    assert.ok(!run.screen.includes("FATA"), run.screen);
  },
});

Deno.test({
  name: "Proceed creates the instance with the edit flags applied",
  ignore,
  fn: async () => {
    const limaHome = await tempLimaHome();
    const run = await onTerminalSession(
      ["create", "--name", "x", "--cpus", "3"],
      { limaHome, steps: [choose(0)] },
    );
    assert.equal(run.code, 0, run.screen);
    assert.match(run.screen, /Run `limactl start x` to start the instance\./);
    assert.match(await lima(limaHome), /^cpus: 3$/m);
  },
});

Deno.test({
  name: "Open an editor creates the instance as edited, below Lima's header",
  ignore,
  fn: async () => {
    const { limaHome, env } = await withEditor(
      `cp "$1" "$LIMA_HOME/seen.yaml"\nsed -i 's/^memory: null$/memory: 3GiB/' "$1"`,
    );
    const run = await onTerminalSession(["create", "--name", "x"], {
      limaHome,
      env,
      steps: [choose(1)],
    });
    assert.equal(run.code, 0, run.screen);
    assert.match(await lima(limaHome), /^memory: 3GiB$/m);
    assert.ok(!(await lima(limaHome)).includes("# Review and modify"));
    assert.deepEqual(
      lines(await Deno.readTextFile(join(limaHome, "seen.yaml"))).slice(0, 3),
      [
        "# Review and modify the following configuration for Lima instance `x`.",
        "# - To cancel starting Lima, just save this file as an empty file.",
        "",
      ],
    );
  },
});

Deno.test({
  name: "an editor saving an empty file aborts: nothing created, exit 0",
  ignore,
  fn: async () => {
    const { limaHome, env } = await withEditor(`: > "$1"`);
    const run = await onTerminalSession(["create", "--name", "x"], {
      limaHome,
      env,
      steps: [choose(1)],
    });
    assert.equal(run.code, 0, run.screen);
    assert.match(
      run.screen,
      /Aborting, as requested by saving the file with empty content/,
    );
    assert.ok(!await exists(join(limaHome, "x")), "nothing was created");
  },
});

Deno.test({
  name: "an edit that fails validation is saved as ./lima.REJECTED.yaml",
  ignore,
  fn: async () => {
    const { limaHome, env } = await withEditor(
      `sed -i 's/^memory: null$/memory: lots/' "$1"`,
    );
    const cwd = await Deno.makeTempDir();
    const run = await onTerminalSession(["create", "--name", "x"], {
      limaHome,
      env,
      cwd,
      steps: [choose(1)],
    });
    assert.equal(run.code, 1, run.screen);
    assert.match(run.screen, /the YAML is invalid, saved the buffer as/);
    assert.match(
      await Deno.readTextFile(join(cwd, "lima.REJECTED.yaml")),
      /^memory: lots$/m,
    );
    assert.ok(!await exists(join(limaHome, "x")), "nothing was created");
  },
});

Deno.test({
  name:
    "Choose another template lists the templates, then the menu returns for the one chosen",
  ignore,
  fn: async () => {
    const limaHome = await tempLimaHome();
    const names = lines(
      (await limactlExpect(0, ["create", "--list-templates"], { limaHome }))
        .stdout,
    );
    const docker = names.indexOf("docker");
    assert.ok(docker > 0, names.join(" "));
    const run = await onTerminalSession(
      ["create", "--name", "x", "--cpus", "3"],
      {
        limaHome,
        steps: [
          choose(2),
          choose(docker, "Choose a template"),
          choose(0),
        ],
      },
    );
    assert.equal(run.code, 0, run.screen);
    const text = await lima(limaHome);
    assert.match(text, /^# Docker Engine in rootless mode/);
    assert.match(text, /^cpus: 3$/m, "the edit flags apply to it too");
  },
});

Deno.test({
  name: "start of a new instance shows the menu too; Exit boots nothing",
  ignore,
  fn: async () => {
    const limaHome = await tempLimaHome();
    // An image that does not exist: nothing could boot even if the menu were skipped.
    const template = join(limaHome, "x.yaml");
    await Deno.writeTextFile(
      template,
      "images: [location: /nonexistent.img]\n",
    );
    const run = await onTerminalSession(["start", template], {
      limaHome,
      steps: [choose(3)],
    });
    assert.equal(run.code, 0, run.screen);
    assert.ok(!await exists(join(limaHome, "x")), "nothing was created");
  },
});

Deno.test({
  name: "--tty=false skips the menu on a terminal",
  ignore,
  fn: async () => {
    const limaHome = await tempLimaHome();
    const run = await onTerminalSession(
      ["--tty=false", "create", "--name", "x"],
      { limaHome, steps: [] },
    );
    assert.equal(run.code, 0, run.screen);
    assert.ok(!run.screen.includes(MENU), run.screen);
    assert.match(
      run.screen,
      /Terminal is not available, proceeding without opening an editor/,
    );
    assert.ok(await exists(join(limaHome, "x")));
  },
});

Deno.test({
  name:
    "the editor reads the terminal the menu used (keys reach it, not the menu)",
  ignore,
  fn: async () => {
    const { limaHome, env } = await withEditor(
      `echo "editor is reading"\nread -r memory\nsed -i "s/^memory: null$/memory: $memory/" "$1"`,
    );
    const run = await onTerminalSession(["create", "--name", "x"], {
      limaHome,
      env,
      steps: [choose(1), { waitFor: "editor is reading", send: "5GiB\r" }],
    });
    assert.equal(run.code, 0, run.screen);
    assert.match(await lima(limaHome), /^memory: 5GiB$/m);
  },
});

Deno.test({
  name: "Ctrl-C in the menu fails with Lima's message and creates nothing",
  ignore,
  fn: async () => {
    const limaHome = await tempLimaHome();
    const run = await onTerminalSession(["create", "--name", "x"], {
      limaHome,
      steps: [{ waitFor: MENU, send: "\x03" }],
    });
    assert.equal(run.code, 1, run.screen);
    assert.match(run.screen, /FATA\[\d+\] Interrupted by user/);
    assert.ok(!await exists(join(limaHome, "x")), "nothing was created");
  },
});
