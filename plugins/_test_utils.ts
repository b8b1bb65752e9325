/** Helpers shared by the plugins' tests. */
import assert from "node:assert/strict";
import { LimaError } from "../core/errors.ts";

/** The `LimaError` PROMISE rejects with; fails the test when it resolves or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<LimaError> {
  const err = await promise.then(() => undefined, (e) => e);
  assert.ok(err instanceof LimaError, `expected a LimaError, got ${err}`);
  return err;
}
