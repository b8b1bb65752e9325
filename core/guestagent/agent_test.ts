import assert from "node:assert/strict";
import dgram from "node:dgram";
import {
  GUEST_AGENT_PYTHON,
  GUEST_AGENT_SCRIPT,
  guestAgentCommand,
} from "./agent.ts";
import { agentEvents, type ListenerEvent } from "./events.ts";

const CLOCK_TICKS_PER_SECOND = 100;

type Variant = "python3" | "sh";

/** Runs the agent as a local process: it then reports this host's own sockets. */
function runLocally(variant: Variant, intervalSeconds: number) {
  const args = variant === "python3"
    ? ["-c", GUEST_AGENT_PYTHON, String(intervalSeconds)]
    : ["-c", GUEST_AGENT_SCRIPT, "lima-guestagent", String(intervalSeconds)];
  const child = new Deno.Command(variant, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  return { child, events: agentEvents(child.stdout)[Symbol.asyncIterator]() };
}

/** utime+stime+cutime+cstime of PID and all its living descendants, in clock ticks. */
async function treeTicks(pid: number): Promise<number> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const text = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(entry.name), {
        ppid: Number(f[1]),
        ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
      });
    } catch {
      // The process ended meanwhile.
    }
  }
  let total = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    total += stats.get(p)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === p) todo.push(child);
  }
  return total;
}

const has = (e: ListenerEvent, key: "added" | "removed", port: number) =>
  e[key].some((l) => l.proto === "tcp" && l.port === port);

/** Checks the reports of VARIANT and returns its CPU share with 50 listeners. */
async function exercise(variant: Variant): Promise<number> {
  const listeners = Array.from(
    { length: 50 },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const udp = dgram.createSocket("udp6");
  await new Promise<void>((r) => udp.bind(0, "::1", () => r()));
  const ports = listeners.map((l) => l.addr.port);
  const { child, events } = runLocally(variant, 0.5);
  try {
    const first = (await events.next()).value as ListenerEvent;
    for (const port of ports) {
      assert.ok(has(first, "added", port), `port ${port}`);
    }
    assert.ok(
      first.added.some((l) =>
        l.proto === "udp" && l.ip === "::1" && l.port === udp.address().port
      ),
      "UDP on ::1",
    );

    const late = Deno.listen({ hostname: "0.0.0.0", port: 0 });
    const opened = Date.now();
    const next = (await events.next()).value as ListenerEvent;
    assert.ok(has(next, "added", late.addr.port));
    assert.equal(
      next.added.find((l) => l.port === late.addr.port)?.ip,
      "0.0.0.0",
    );
    assert.ok(
      Date.now() - opened < 1000,
      `seen after ${Date.now() - opened} ms`,
    );
    late.close();
    assert.ok(
      has(
        (await events.next()).value as ListenerEvent,
        "removed",
        late.addr.port,
      ),
    );

    const seconds = 6;
    const before = await treeTicks(child.pid);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const used = (await treeTicks(child.pid) - before) / CLOCK_TICKS_PER_SECOND;
    const share = used / seconds;
    console.log(
      `guest agent (${variant}) CPU: ${(share * 100).toFixed(2)}% of a core`,
    );
    return share;
  } finally {
    await child.stdin.close();
    await child.status;
    listeners.forEach((l) => l.close());
    udp.close();
  }
}

Deno.test("the python3 agent reports listeners within one interval and uses under 1% of a core with 50 listeners", async () => {
  const share = await exercise("python3");
  assert.ok(share < 0.01, `${(share * 100).toFixed(2)}% of a core`);
});

Deno.test("the sh + awk agent reports the same listeners", async () => {
  await exercise("sh");
});

Deno.test("the agent exits when its stdin closes", async () => {
  for (const variant of ["python3", "sh"] as const) {
    const { child, events } = runLocally(variant, 0.2);
    await events.next();
    const closed = Date.now();
    await child.stdin.close();
    await child.status;
    assert.ok(Date.now() - closed < 2000, variant);
    assert.equal((await events.next()).done, true, variant);
  }
});

Deno.test("the command line quotes the script for the login shell", async () => {
  const out = await new Deno.Command("sh", {
    args: ["-c", `sleep 1 | ${guestAgentCommand({ intervalMs: 100 })}`],
    stdout: "piped",
  }).output();
  const line = new TextDecoder().decode(out.stdout).split("\n")[0];
  assert.match(line, /^\{"added":\[.*\],"removed":\[\],"full":true\}$/);
  assert.throws(() => guestAgentCommand({ intervalMs: 0 }), RangeError);
});
