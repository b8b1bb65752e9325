/** Resolves when SIGINT or SIGTERM arrives (or SIGNAL aborts); `dispose` removes the handlers. */
export function shutdownRequest(signal?: AbortSignal) {
  const { promise, resolve } = Promise.withResolvers<string>();
  const handlers = (["SIGINT", "SIGTERM"] as const).map((name) => {
    const handler = () => resolve(name);
    Deno.addSignalListener(name, handler);
    return [name, handler] as const;
  });
  const onAbort = () => resolve("stop request");
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return {
    promise,
    dispose() {
      for (const [name, handler] of handlers) {
        Deno.removeSignalListener(name, handler);
      }
      signal?.removeEventListener("abort", onAbort);
    },
  };
}
