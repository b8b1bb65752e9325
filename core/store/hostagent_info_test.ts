import assert from "node:assert/strict";
import { hostAgentInfo } from "./hostagent_info.ts";

/**
 * A host agent on a socket in a new directory that leaves the first SILENT connections
 * unanswered (as one starved of CPU would), then answers each request.
 */
async function withAgent(
  silent: number,
  fn: (sock: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const sock = `${dir}/ha.sock`;
  const listener = Deno.listen({ path: sock, transport: "unix" });
  const conns: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      if (conns.length <= silent) continue;
      await conn.read(new Uint8Array(4096));
      const body = '{"sshLocalPort":2222}';
      await conn.write(new TextEncoder().encode(
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n` +
          `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      ));
    }
  })();
  try {
    await fn(sock);
  } finally {
    listener.close();
    await serving;
    for (const conn of conns) conn.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a host agent that misses one deadline is asked again on a new connection", () =>
  withAgent(1, async (sock) => {
    const info = await hostAgentInfo(sock, { timeoutMs: 300 });
    assert.equal(info.sshLocalPort, 2222);
  }));

Deno.test("a host agent that misses two deadlines is given up on", () =>
  withAgent(2, async (sock) => {
    const started = Date.now();
    await assert.rejects(
      hostAgentInfo(sock, { timeoutMs: 300 }),
      (err: unknown) =>
        err instanceof DOMException && err.name === "TimeoutError",
    );
    assert.ok(Date.now() - started < 1500);
  }));
