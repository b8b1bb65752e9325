/** A TCP port nothing listens on now, as the kernel picks it (Lima's `pkg/freeport`). */
export function freeLocalPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
