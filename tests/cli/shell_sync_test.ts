/**
 * `limactl shell --sync DIR` on a fake running instance (`running_fake.ts`) without mounts. The
 * fake guest shares the host's file system, so its `user.home` is a directory of its own and
 * the guest copy (`user.home` + DIR) never overlaps DIR.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { userInfo } from "node:os";
import { exists } from "../../core/exists.ts";
import { lookPath } from "../../core/look_path.ts";
import { haveSSHD } from "../fixtures/sshd.ts";
import { assertFatal, assertInfo, limactl, limactlExpect } from "./helpers.ts";
import { runningFake } from "./running_fake.ts";
import {
  hasScript,
  KEY_DOWN,
  KEY_ENTER,
  onTerminalSession,
  type TerminalStep,
} from "./terminal_session.ts";

const ignore = !haveSSHD() || !lookPath("rsync");

/** A fake instance without mounts, and a project directory deep enough to sync. */
async function syncFake() {
  const fake = await runningFake({
    config: (limaHome) => ({
      user: { name: userInfo().username, home: join(limaHome, "guest home") },
      mounts: [],
    }),
  });
  const guestHome = join(fake.limaHome, "guest home");
  const project = join(fake.limaHome, "src", "my project");
  await Deno.mkdir(join(project, "sub"), { recursive: true });
  await Deno.writeTextFile(join(project, "a.txt"), "a\n");
  await Deno.writeTextFile(join(project, "sub", "b.txt"), "b\n");
  return Object.assign(fake, { project, guestCopy: guestHome + project });
}

const read = (dir: string, file: string) =>
  Deno.readTextFile(join(dir, file)).catch(() => undefined);

/** Changes the synced directory in the guest: one file edited, one added, one removed. */
const EDIT =
  "pwd; cat a.txt; echo changed > a.txt; echo new > c.txt; rm sub/b.txt";

Deno.test({
  name:
    "shell --sync runs the command in a guest copy and, without a terminal, copies the changes back and removes the copy",
  ignore,
}, async () => {
  await using fake = await syncFake();
  const { limaHome, project, guestCopy } = fake;
  const r = await limactlExpect(
    0,
    ["shell", "--sync", ".", "vm", "sh", "-c", EDIT],
    { limaHome, cwd: project },
  );
  assert.equal(r.stdout, `${guestCopy}\na\n`);
  assertInfo(
    r.stderr,
    `Syncing host current directory(${project}) to guest instance...`,
  );
  assertInfo(
    r.stderr,
    `Successfully synced host current directory to guest(${guestCopy}) instance.`,
  );
  assertInfo(r.stderr, "Successfully synced back the changes to host.");
  assert.equal(await read(project, "a.txt"), "changed\n");
  assert.equal(await read(project, "c.txt"), "new\n");
  assert.equal(await read(project, "sub/b.txt"), undefined);
  assert.ok(!await exists(guestCopy), "the guest copy is removed");
});

Deno.test({
  name:
    "shell --sync keeps the host as it is and the guest copy when the command fails",
  ignore,
}, async () => {
  await using fake = await syncFake();
  const { limaHome, project, guestCopy } = fake;
  const r = await limactl(
    ["shell", "--sync", project, "vm", "sh", "-c", `${EDIT}; exit 3`],
    { limaHome },
  );
  assert.equal(r.code, 3, r.stderr);
  assert.equal(await read(project, "a.txt"), "a\n");
  assert.equal(await read(guestCopy, "a.txt"), "changed\n");
});

Deno.test({
  name:
    "shell --sync on a terminal asks with rsync's counts: View shows the diff, Yes copies back, No does not, no change asks nothing",
  ignore: ignore || !hasScript,
}, async () => {
  await using fake = await syncFake();
  const { limaHome, project, guestCopy } = fake;
  const QUESTION = "Accept the changes? (added: 1, deleted: 1, modified: 1";
  const sync = (command: string, steps: TerminalStep[]) =>
    onTerminalSession(["shell", "--sync", project, "vm", "sh", "-c", command], {
      limaHome,
      env: { PAGER: "cat" },
      steps,
    });
  const answer = (send: string) => ({ waitFor: QUESTION, send });
  // View the changes (in `cat` as the pager), then refuse them. The question comes again
  // after the diff, whose last line is the removal of sub/b.txt.
  let run = await sync(EDIT, [answer(KEY_DOWN + KEY_DOWN + KEY_ENTER), {
    waitFor: `-b\r\n? ⚠️ ${QUESTION}`,
    send: KEY_DOWN + KEY_ENTER,
  }]);
  assert.equal(run.code, 0, run.screen);
  assert.match(run.screen, /--- rsync dry-run statistics ---/);
  assert.match(run.screen, /^\+new\r?$/m);
  assert.match(run.screen, /Skipping syncing back the changes to host\./);
  assert.equal(await read(project, "a.txt"), "a\n");
  assert.ok(!await exists(guestCopy), "the guest copy is removed");

  run = await sync(EDIT, [answer(KEY_ENTER)]);
  assert.equal(run.code, 0, run.screen);
  assert.match(run.screen, /Successfully synced back the changes to host\./);
  assert.equal(await read(project, "c.txt"), "new\n");
  assert.ok(!await exists(guestCopy), "the guest copy is removed");

  run = await sync("true", []);
  assert.equal(run.code, 0, run.screen);
  assert.match(run.screen, /No changes detected/);
  assert.ok(!await exists(guestCopy), "the guest copy is removed");
});

Deno.test({
  name:
    "shell --sync refuses mounts, a shallow directory, --workdir and a host without rsync, copying nothing",
  ignore,
}, async () => {
  await using mounted = await runningFake();
  let r = await limactlExpect(1, [
    "shell",
    "--sync",
    mounted.work,
    "vm",
    "true",
  ], {
    limaHome: mounted.limaHome,
  });
  assertFatal(
    r.stderr,
    "cannot use `--sync` when the instance has host mounts configured, start the instance with `--mount-none` to disable mounts",
  );
  await using fake = await syncFake();
  const { limaHome, project, guestCopy } = fake;
  r = await limactlExpect(1, ["shell", "--sync", "/tmp", "vm", "true"], {
    limaHome,
  });
  assertFatal(
    r.stderr,
    "expected the depth of the host working directory (`/tmp`) to be at least 4, only got 2 (Hint: cd to a deeper directory)",
  );
  r = await limactlExpect(
    1,
    ["shell", "--workdir", "/", "--sync", project, "vm", "true"],
    { limaHome },
  );
  assertFatal(r.stderr, "cannot use `--workdir` and `--sync` at the same time");
  r = await limactlExpect(1, ["shell", "--sync", project, "vm", "true"], {
    limaHome,
    env: { PATH: "/nonexistent" },
  });
  assertFatal(
    r.stderr,
    'rsync is required for `--sync` but not found: exec: "rsync": executable file not found in $PATH',
  );
  assert.ok(!await exists(guestCopy), "nothing was copied");
});
