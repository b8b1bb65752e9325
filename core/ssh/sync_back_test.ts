import assert from "node:assert/strict";
import { PromptInterrupted } from "../prompt.ts";
import {
  SYNC_BACK_OPTIONS,
  syncBack,
  type SyncBackSteps,
} from "./sync_back.ts";

/** Steps that record what ran; DRY_RUN is rsync's itemized output. */
function recording(dryRun = ">f+++++++++ proj/new.txt\n") {
  const ran: string[] = [];
  const steps: SyncBackSteps = {
    guestDir: "/home/me.linux/w/me/proj",
    hostDir: "/w/me/proj",
    copyBack: () => Promise.resolve(void ran.push("copy back")),
    dryRun: () => Promise.resolve(dryRun),
    copyTo: () => Promise.resolve(void ran.push("copy to")),
    removeGuestCopy: () => Promise.resolve(void ran.push("remove")),
  };
  return { ran, steps };
}

/** A Select answering ANSWERS in turn, recording the questions. */
function answering(...answers: number[]) {
  const asked: string[] = [];
  const select = (message: string, options: string[]) => {
    assert.deepEqual(options, [...SYNC_BACK_OPTIONS]);
    asked.push(message);
    return Promise.resolve(answers.shift()!);
  };
  return { asked, select };
}

const noView = () => Promise.reject(new Error("no view expected"));

Deno.test("without a terminal the changes come back unasked and the guest copy goes", async () => {
  const { ran, steps } = recording();
  await syncBack(steps, undefined, noView);
  assert.deepEqual(ran, ["copy back", "remove"]);
});

Deno.test("on a terminal the question counts the changes; Yes copies back, No leaves the host as it is", async () => {
  for (
    const [answer, expected] of [[0, ["copy back", "remove"]], [1, [
      "remove",
    ]]] as const
  ) {
    const { ran, steps } = recording();
    const { asked, select } = answering(answer);
    await syncBack(steps, select, noView);
    assert.deepEqual(asked, [
      "⚠️ Accept the changes? (added: 1, deleted: 0, modified: 0, metadata: 0)",
    ]);
    assert.deepEqual(ran, expected);
  }
});

Deno.test("viewing the changes asks again", async () => {
  const { ran, steps } = recording();
  const { asked, select } = answering(2, 0);
  const viewed: unknown[] = [];
  await syncBack(steps, select, (_, dryRun) => {
    viewed.push(dryRun?.summary);
    return Promise.resolve();
  });
  assert.equal(asked.length, 2);
  assert.deepEqual(viewed, ["added: 1, deleted: 0, modified: 0, metadata: 0"]);
  assert.deepEqual(ran, ["copy back", "remove"]);
});

Deno.test("with no changes nothing is asked and the guest copy goes", async () => {
  const { ran, steps } = recording("receiving file list\n");
  const { asked, select } = answering();
  await syncBack(steps, select, noView);
  assert.deepEqual([asked, ran], [[], ["remove"]]);
});

Deno.test("a failed dry run still asks, without counts", async () => {
  const { ran, steps } = recording();
  steps.dryRun = () => Promise.reject(new Error("rsync exited with status 12"));
  const { asked, select } = answering(0);
  await syncBack(steps, select, noView);
  assert.deepEqual(asked, ["⚠️ Accept the changes?"]);
  assert.deepEqual(ran, ["copy back", "remove"]);
});

Deno.test("the guest copy stays when the question cannot be asked or copying back fails", async () => {
  const { ran, steps } = recording();
  await assert.rejects(
    syncBack(steps, () => Promise.reject(new PromptInterrupted()), noView),
    /failed to open TUI: interrupt; preserving guest synced workdir at \/home\/me.linux\/w\/me\/proj$/,
  );
  steps.copyBack = () =>
    Promise.reject(new Error("rsync exited with status 23"));
  await assert.rejects(
    syncBack(steps, undefined, noView),
    /failed to sync back the changes from guest instance to host: rsync exited with status 23$/,
  );
  assert.deepEqual(ran, []);
});
