import assert from "node:assert/strict";
import {
  eventDateTime,
  EventWriter,
  formatEvent,
  formatEventTime,
  goEventTime,
  parseEvent,
  parseEventTime,
} from "./events.ts";

Deno.test("event times are RFC 3339 and parse back to the same instant", () => {
  const date = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 120));
  const text = formatEventTime(date);
  assert.match(
    text,
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.12(Z|[+-]\d{2}:\d{2})$/,
  );
  assert.equal(parseEventTime(text)?.getTime(), date.getTime());
});

Deno.test("Go's nanosecond times are read to the millisecond", () => {
  assert.equal(
    parseEventTime("2025-01-01T10:00:00.123456789+01:00")?.toISOString(),
    "2025-01-01T09:00:00.123Z",
  );
  assert.equal(parseEventTime("yesterday"), undefined);
});

Deno.test("empty status fields are left out, as Lima's omitempty does", () => {
  const line = formatEvent({
    running: true,
    degraded: false,
    errors: [],
    sshLocalPort: 60022,
  });
  assert.deepEqual(parseEvent(line).status, {
    running: true,
    sshLocalPort: 60022,
  });
});

Deno.test("port-forward events repeat the current status", () => {
  const lines: string[] = [];
  const writer = new EventWriter((b) =>
    lines.push(new TextDecoder().decode(b))
  );
  writer.emit({ running: true, sshLocalPort: 2222 });
  writer.emitWith({
    portForward: {
      type: "forwarding",
      protocol: "tcp",
      guestAddr: "127.0.0.1:80",
      hostAddr: "127.0.0.1:8080",
    },
  });
  assert.equal(lines.length, 2);
  assert.ok(lines.every((l) => l.endsWith("}\n")));
  const second = parseEvent(lines[1].trim()).status;
  assert.equal(second.running, true);
  assert.equal(second.sshLocalPort, 2222);
  assert.equal(second.portForward?.hostAddr, "127.0.0.1:8080");
});

Deno.test("a line that is not an event is refused", () => {
  assert.throws(() => parseEvent('{"status":{}}'));
  assert.throws(() => parseEvent("not json"));
});

Deno.test("goEventTime writes a parsed event time as Go marshals it", () => {
  assert.equal(
    goEventTime("2025-01-02T03:04:05.120000+09:00"),
    "2025-01-02T03:04:05.12+09:00",
  );
  assert.equal(
    goEventTime("2025-01-02T03:04:05.000+00:00"),
    "2025-01-02T03:04:05Z",
  );
  assert.equal(
    goEventTime("2025-01-02T03:04:05.1234567891Z"),
    "2025-01-02T03:04:05.123456789Z",
  );
  assert.equal(
    eventDateTime("2025-01-02T03:04:05.5-07:00"),
    "2025-01-02 03:04:05",
  );
});
