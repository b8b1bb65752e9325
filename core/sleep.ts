/**
 * Resolves after MS milliseconds, or as soon as SIGNAL, when given, aborts (it never rejects:
 * a loop that sleeps between tries checks the signal itself).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
