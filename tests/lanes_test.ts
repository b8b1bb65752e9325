import assert from "node:assert/strict";
import { counts, failureSection, type LaneResult, summarize } from "./lanes.ts";

const lane = (r: Partial<LaneResult>): LaneResult => ({
  name: "lane",
  code: 0,
  passed: 0,
  failed: 0,
  ignored: 0,
  failures: "",
  ...r,
});

Deno.test("counts reads Deno's last summary line, colours and all", () => {
  const output = "a ... ok\n\x1b[32mok\x1b[0m | 1 passed | 0 failed (1s)\n" +
    "\x1b[31mFAILED\x1b[0m | 12 passed (3 steps) | 2 failed | 1 ignored (9s)\n";
  assert.deepEqual(counts(output), { passed: 12, failed: 2, ignored: 1 });
  assert.deepEqual(counts("error: Module not found"), {
    passed: 0,
    failed: 0,
    ignored: 0,
  });
});

Deno.test("the summary adds the lanes up, a lane that crashed as one failure", () => {
  assert.equal(
    summarize([lane({ passed: 40, ignored: 1 }), lane({ passed: 2 })]),
    "42 passed, 0 failed, 1 skipped",
  );
  assert.equal(
    summarize([lane({ passed: 3, failed: 2, code: 1 }), lane({ code: 1 })]),
    "3 passed, 3 failed",
  );
});

Deno.test("a failed lane's failures are shown from Deno's ERRORS section on", () => {
  const output = "x ... ok\ny ... FAILED\n\n ERRORS \n\ny => a_test.ts:3\n" +
    "error: boom\n\n FAILURES \n\ny => a_test.ts:3\n\nFAILED | 1 passed | 1 failed\n";
  assert.equal(
    failureSection(output),
    " ERRORS \n\ny => a_test.ts:3\nerror: boom\n\n FAILURES \n\n" +
      "y => a_test.ts:3\n\nFAILED | 1 passed | 1 failed\n",
  );
  const crash = Array.from({ length: 60 }, (_, i) => `line ${i}`).join("\n");
  assert.equal(failureSection(crash).split("\n").length, 40);
  assert.match(failureSection(crash), /^line 20\nline 21/);
});
