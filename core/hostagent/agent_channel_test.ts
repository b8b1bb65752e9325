import assert from "node:assert/strict";
import type { ListenerEvent } from "../guestagent/events.ts";
import { watchAgentChannel } from "./agent_channel.ts";

const FULL = JSON.stringify({
  added: [{ proto: "tcp", ip: "0.0.0.0", port: 8080 }],
  removed: [],
  full: true,
}) + "\n";

/** A guest agent's end of the channel: ANSWER runs for each connection. */
async function withChannel(
  answer: (conn: Deno.UnixConn) => Promise<void>,
  fn: (path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/ga.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  const served = (async () => {
    for await (const conn of listener) {
      await answer(conn).catch(() => {});
      try {
        conn.close();
      } catch {
        // The answer closed it.
      }
    }
  })();
  try {
    await fn(path);
  } finally {
    listener.close();
    await served;
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the agent's events arrive once it hears the host", async () => {
  await withChannel(async (conn) => {
    await conn.read(new Uint8Array(1));
    await conn.write(new TextEncoder().encode(FULL));
    await conn.read(new Uint8Array(1));
  }, async (path) => {
    const stop = new AbortController();
    const seen: ListenerEvent[] = [];
    const answered = await watchAgentChannel(path, {
      onEvent: (event) => {
        seen.push(event);
        stop.abort();
        return Promise.resolve();
      },
      signal: stop.signal,
      retryMs: 10,
      silentMs: 5000,
    });
    assert.equal(answered, true);
    assert.deepEqual(seen, [{
      added: [{ proto: "tcp", ip: "0.0.0.0", port: 8080 }],
      removed: [],
      full: true,
    }]);
  });
});

Deno.test("a silent channel is given up after silentMs", async () => {
  await withChannel(async (conn) => {
    await conn.read(new Uint8Array(64));
  }, async (path) => {
    const started = Date.now();
    const answered = await watchAgentChannel(path, {
      onEvent: () => Promise.resolve(),
      signal: new AbortController().signal,
      retryMs: 10,
      silentMs: 300,
    });
    assert.equal(answered, false);
    assert.ok(Date.now() - started < 3000, "gave up in time");
  });
});

// QEMU's exit ends the channel's stream, which closes the connection, while the host agent
// shuts down: its abort must not throw from the listener and end the process.
Deno.test("an abort after the guest closed the channel ends the watch", async () => {
  await withChannel(async (conn) => {
    await conn.write(new TextEncoder().encode(FULL));
  }, async (path) => {
    const stop = new AbortController();
    const answered = await watchAgentChannel(path, {
      onEvent: async () => {
        // Meanwhile the stream reads ahead to the end and closes the connection.
        await new Promise((r) => setTimeout(r, 200));
        stop.abort();
      },
      signal: stop.signal,
      retryMs: 10,
      silentMs: 5000,
    });
    assert.equal(answered, true);
  });
});
