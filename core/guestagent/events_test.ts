import assert from "node:assert/strict";
import { LimaError } from "../errors.ts";
import { agentEvents, parseAgentLine } from "./events.ts";

Deno.test("an agent line becomes added and removed listeners", () => {
  assert.deepEqual(
    parseAgentLine(
      '{"added":[{"proto":"tcp","ip":"::1","port":8080}],"removed":[{"proto":"udp","ip":"0.0.0.0","port":53}]}',
    ),
    {
      added: [{ proto: "tcp", ip: "::1", port: 8080 }],
      removed: [{ proto: "udp", ip: "0.0.0.0", port: 53 }],
    },
  );
});

Deno.test("malformed agent lines are rejected with the reason", () => {
  for (
    const [line, reason] of [
      ["Welcome to Debian", /not JSON/],
      ['{"added":[]}', /without `added` and `removed`/],
      [
        '{"added":[{"proto":"sctp","ip":"1.2.3.4","port":1}],"removed":[]}',
        /invalid socket/,
      ],
      [
        '{"added":[],"removed":[{"proto":"tcp","ip":"1.2.3.4","port":70000}]}',
        /invalid socket/,
      ],
    ] as const
  ) {
    assert.throws(() => parseAgentLine(line), (err: unknown) => {
      assert.ok(err instanceof LimaError);
      assert.match(err.message, reason);
      return true;
    });
  }
});

Deno.test("a stream split mid-line yields whole events", async () => {
  const text =
    '{"added":[{"proto":"tcp","ip":"127.0.0.1","port":1}],"removed":[]}\n\n{"added":[],"removed":[{"proto":"tcp","ip":"127.0.0.1","port":1}]}';
  const bytes = new TextEncoder().encode(text);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 7) {
        c.enqueue(bytes.slice(i, i + 7));
      }
      c.close();
    },
  });
  const events = await Array.fromAsync(agentEvents(stream));
  assert.equal(events.length, 2);
  assert.equal(events[0].added[0].port, 1);
  assert.equal(events[1].removed[0].port, 1);
});
