import assert from "node:assert/strict";
import { resolvesWithin, withTimeout } from "./timeout.ts";

const never = new Promise<never>(() => {});

Deno.test("withTimeout gives the promise's value when it comes first", async () => {
  let called = false;
  const value = await withTimeout(
    Promise.resolve(7),
    1000,
    () => called = true,
  );
  assert.equal(value, 7);
  assert.equal(called, false);
});

Deno.test("withTimeout gives what onTimeout returns once the time is up", async () => {
  assert.equal(await withTimeout(never, 10, () => "timeout"), "timeout");
});

Deno.test("withTimeout rejects with the error onTimeout throws", async () => {
  await assert.rejects(
    withTimeout(never, 10, () => {
      throw new Error("timed out after 10 ms");
    }),
    { message: "timed out after 10 ms" },
  );
});

Deno.test("withTimeout passes the promise's rejection on", async () => {
  await assert.rejects(
    withTimeout(Promise.reject(new Error("boom")), 1000, () => 0),
    { message: "boom" },
  );
});

Deno.test("resolvesWithin tells whether the promise fulfilled in time", async () => {
  assert.equal(await resolvesWithin(Promise.resolve("x"), 1000), true);
  assert.equal(await resolvesWithin(never, 10), false);
  await assert.rejects(resolvesWithin(Promise.reject(new Error("no")), 1000));
});
