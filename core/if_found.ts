/**
 * Reading what may not be there: "not found" becomes undefined, so a caller says its default
 * with `??`; any other error (permissions, a damaged file) still propagates.
 */

export interface IfFoundOptions {
  /** A path through something that is no directory (`file/child`) counts as missing too. */
  notADirectory?: boolean;
}

/** WORK's value, or undefined when it fails because its path does not exist. */
export async function ifFound<T>(
  work: Promise<T>,
  options: IfFoundOptions = {},
): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (isMissing(err, options)) return undefined;
    throw err;
  }
}

/** The synchronous form of `ifFound`, for the status paths that read tiny files synchronously. */
export function ifFoundSync<T>(
  work: () => T,
  options: IfFoundOptions = {},
): T | undefined {
  try {
    return work();
  } catch (err) {
    if (isMissing(err, options)) return undefined;
    throw err;
  }
}

function isMissing(err: unknown, options: IfFoundOptions): boolean {
  return err instanceof Deno.errors.NotFound ||
    (options.notADirectory === true &&
      err instanceof Deno.errors.NotADirectory);
}
