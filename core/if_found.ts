/**
 * Reading what may not be there: "not found" becomes undefined, so a caller says its default
 * with `??`; any other error (permissions, a damaged file) still propagates.
 */

/** WORK's value, or undefined when it fails because its path does not exist. */
export async function ifFound<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** The synchronous form of `ifFound`, for the status paths that read tiny files synchronously. */
export function ifFoundSync<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}
