/** Bounding how long to wait for a promise, without leaving its timer behind. */

/**
 * PROMISE's outcome, or, once MS pass first, what ON_TIMEOUT returns (or the error it throws).
 * ON_TIMEOUT runs only on a timeout, so it may also give up the work (close a connection).
 */
export function withTimeout<T, U>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => U,
): Promise<T | U> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<U>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (err) {
        reject(err);
      }
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Whether PROMISE fulfils within MS; its rejection propagates. */
export function resolvesWithin(
  promise: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  return withTimeout(promise.then(() => true), ms, () => false);
}
