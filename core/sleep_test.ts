import assert from "node:assert/strict";
import { sleep } from "./sleep.ts";

Deno.test("sleep waits the time it is given", async () => {
  const start = performance.now();
  await sleep(30);
  assert.ok(performance.now() - start >= 25);
});

Deno.test("sleep ends early, without rejecting, when its signal aborts", async () => {
  const abort = new AbortController();
  const start = performance.now();
  const slept = sleep(10_000, abort.signal);
  setTimeout(() => abort.abort(), 10);
  await slept;
  assert.ok(performance.now() - start < 5_000);
});
