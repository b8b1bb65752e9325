import assert from "node:assert/strict";
import { LimaError } from "../errors.ts";
import { withTimeout } from "../timeout.ts";
import { fetchBytes } from "./read_file.ts";

/** A raw TCP server answering every connection with REPLY (and holding it open); stop() ends all. */
function rawServer(reply: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const served = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      await conn.write(new TextEncoder().encode(reply));
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/t.yaml`,
    async stop() {
      listener.close();
      for (const conn of conns) conn.close();
      await served.catch(() => {});
    },
  };
}

async function fetchError(url: string, timeoutMs?: number): Promise<string> {
  try {
    await fetchBytes(url, timeoutMs);
  } catch (err) {
    assert.ok(err instanceof LimaError, String(err));
    return err.message;
  }
  assert.fail("expected a LimaError");
}

Deno.test("fetchBytes gives up on a server that never finishes the answer", async () => {
  const server = rawServer(
    "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nimages: []\n",
  );
  try {
    assert.match(
      await withTimeout(
        fetchError(server.url, 300),
        5000,
        () => "still waiting after 5 s",
      ),
      /^failed to fetch "http:\/\/127\.0\.0\.1:\d+\/t\.yaml": no complete answer within 0\.3 seconds$/,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("fetchBytes says why a request failed, not just that it did", async () => {
  const server = rawServer("garbage\r\n\r\n");
  try {
    assert.match(
      await fetchError(server.url),
      /^failed to fetch "[^"]+": fetch failed: .*invalid HTTP version/,
    );
  } finally {
    await server.stop();
  }
});
