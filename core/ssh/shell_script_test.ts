import assert from "node:assert/strict";
import {
  changeDirCommand,
  shellScript,
  type ShellScriptInput,
} from "./shell_script.ts";

const base: ShellScriptInput = {
  cwd: "/home/me/src/x",
  hostHome: "/home/me",
  mountLocations: [],
  command: [],
};

Deno.test("--workdir wins and must exist", () => {
  assert.equal(
    changeDirCommand({ ...base, workdir: "/tmp/a b", mountLocations: ["/"] }),
    "cd '/tmp/a b' || exit 1",
  );
});

Deno.test("--sync starts in the guest copy of the synced directory", () => {
  assert.equal(
    changeDirCommand({ ...base, syncDir: "/home/me.linux/w/a b" }),
    "cd '/home/me.linux/w/a b'",
  );
});

Deno.test("a working directory inside a mount is used verbatim, with the home as fallback", () => {
  assert.equal(
    changeDirCommand({ ...base, mountLocations: ["/home/me/src"] }),
    "cd /home/me/src/x || cd /home/me",
  );
  assert.equal(
    changeDirCommand({ ...base, mountLocations: ["/"] }),
    "cd /home/me/src/x || cd /home/me",
  );
  assert.equal(
    changeDirCommand({
      ...base,
      cwd: "/home/me/src",
      mountLocations: ["/home/me/src"],
    }),
    "cd /home/me/src || cd /home/me",
  );
  assert.equal(
    changeDirCommand({ ...base, guestSeesHostFiles: true }),
    "cd /home/me/src/x || cd /home/me",
  );
});

Deno.test("a mounted home is used when the working directory is not mounted", () => {
  assert.equal(
    changeDirCommand({ ...base, cwd: "/opt/y", mountLocations: ["/home/me"] }),
    "cd /home/me",
  );
  // A sibling with a common prefix is not inside the mount.
  assert.equal(
    changeDirCommand({
      ...base,
      cwd: "/home/me2",
      mountLocations: ["/home/me"],
    }),
    "cd /home/me",
  );
});

Deno.test("without mounts the shell starts in the guest home", () => {
  assert.equal(changeDirCommand(base), "false");
  assert.equal(
    changeDirCommand({ ...base, cwd: undefined, mountLocations: ["/srv"] }),
    "false",
  );
});

Deno.test("the shell comes from --shell, else user.shell, else $SHELL", () => {
  assert.equal(shellScript(base), 'false ; exec "$SHELL" -l');
  assert.equal(
    shellScript({ ...base, userShell: "/bin/bash" }),
    "false ; exec /bin/bash -l",
  );
  assert.equal(
    shellScript({ ...base, userShell: "/bin/bash", shell: "/bin/my sh" }),
    "false ; exec '/bin/my sh' -l",
  );
});

Deno.test("a command is quoted twice and preserved variables go through env", () => {
  assert.equal(
    shellScript({ ...base, userShell: "/bin/bash", command: ["echo", "a b"] }),
    `false ; exec /bin/bash -l -c 'echo '"'"'a b'"'"''`,
  );
  assert.equal(
    shellScript({
      ...base,
      userShell: "/bin/sh",
      env: [["A", "1"], ["B", "x y"]],
      command: ["env"],
    }),
    "false ; exec env A=1 'B=x y' /bin/sh -l -c env",
  );
});
