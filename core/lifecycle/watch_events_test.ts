import assert from "node:assert/strict";
import { type EventStatus, formatEvent } from "../hostagent/events.ts";
import type { LimaError } from "../errors.ts";
import { waitForRunning } from "./watch_events.ts";
import { configureLogger, loggerWrite } from "../log.ts";

async function instanceDir(events: string[], stderr = ""): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/ha.stdout.log`, events.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/ha.stderr.log`, stderr);
  return dir;
}

Deno.test("the running event ends the wait; older events are ignored", async () => {
  const since = new Date();
  const dir = await instanceDir([
    formatEvent({ exiting: true }, new Date(since.getTime() - 60_000)),
    formatEvent({ sshLocalPort: 2222 }),
    formatEvent({ running: true, sshLocalPort: 2222 }),
  ]);
  await waitForRunning({ instDir: dir, name: "x", since, timeoutMs: 2000 });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("exiting and degraded events fail the start", async () => {
  const since = new Date(Date.now() - 1000);
  for (
    const [status, pattern] of [
      [
        { exiting: true, errors: ["QEMU failed"] },
        /^exiting, status=.*QEMU failed/,
      ],
      [{ running: true, degraded: true, errors: ["e"] }, /^degraded, status=/],
    ] as [EventStatus, RegExp][]
  ) {
    const dir = await instanceDir([formatEvent(status)]);
    await assert.rejects(
      waitForRunning({ instDir: dir, name: "x", since, timeoutMs: 2000 }),
      (err: LimaError) => pattern.test(err.message),
    );
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a timeout names the logs and shows their last lines", async () => {
  const dir = await instanceDir(
    [formatEvent({ sshLocalPort: 2222 })],
    JSON.stringify({
      level: "info",
      msg: "Waiting for ssh",
      time: new Date().toISOString(),
    }) + "\n" +
      JSON.stringify({
        level: "debug",
        msg: "essential requirement 1 of 3 not satisfied yet",
        time: new Date().toISOString(),
        reason: "no SSH banner received",
      }) + "\n",
  );
  await Deno.writeTextFile(`${dir}/serial.log`, "Kernel panic\n");
  await assert.rejects(
    waitForRunning({
      instDir: dir,
      name: "x",
      since: new Date(),
      timeoutMs: 300,
    }),
    (err: LimaError) => {
      assert.match(
        err.message,
        /did not receive an event with the `running` status/,
      );
      assert.match(err.message, /ha\.stderr\.log/);
      assert.match(err.message, /info: Waiting for ssh\n/);
      assert.match(
        err.message,
        /debug: essential requirement 1 of 3 not satisfied yet reason="no SSH banner received"\n/,
      );
      assert.match(err.message, /serial\.log:\n {2}Kernel panic/);
      return true;
    },
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the host agent's exit ends the wait with its cause", async () => {
  const dir = await instanceDir([]);
  await assert.rejects(
    waitForRunning({
      instDir: dir,
      name: "x",
      since: new Date(),
      timeoutMs: 5000,
      hostAgentExited: Promise.resolve("exit status 1"),
    }),
    /host agent process has exited: exit status 1/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a stuck boot fails the start with its cause, the console lines and a hint", async () => {
  const since = new Date(Date.now() - 1000);
  const dir = await instanceDir([
    formatEvent({ sshLocalPort: 2222 }),
    formatEvent({
      exiting: true,
      errors: ["The guest kernel panicked: Attempted to kill init!"],
      bootFailure: {
        kind: "panic",
        cause: "The guest kernel panicked: Attempted to kill init!",
        hint: "check the kernel",
        console: ["[ 9.1] Kernel panic - not syncing: Attempted to kill init!"],
      },
    }),
  ]);
  await assert.rejects(
    waitForRunning(loggingPhases(dir, since)),
    (err: LimaError) => {
      assert.equal(
        err.diagnostic.summary,
        "The guest kernel panicked: Attempted to kill init!",
      );
      assert.match(err.diagnostic.detail ?? "", /\[ 9\.1\] Kernel panic/);
      assert.match(err.diagnostic.hint ?? "", /^check the kernel; see /);
      return true;
    },
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("boot phases are logged with the time since the start began", async () => {
  const since = new Date(Date.now() - 5000);
  const at = (s: number) => new Date(since.getTime() + s * 1000);
  const dir = await instanceDir([
    formatEvent({ sshLocalPort: 2222 }, at(1)),
    formatEvent(
      { sshLocalPort: 2222, bootPhase: { phase: "vm-started" } },
      at(1),
    ),
    formatEvent(
      { sshLocalPort: 2222, bootPhase: { phase: "kernel", detail: "Linux" } },
      at(3.5),
    ),
    formatEvent({ sshLocalPort: 2222, bootPhase: { phase: "ready" } }, at(4)),
    formatEvent({ running: true, sshLocalPort: 2222 }, at(4)),
  ]);
  const logged = await capturedLog(() =>
    waitForRunning(loggingPhases(dir, since))
  );
  assert.deepEqual(
    logged.filter((l) => l.includes("Boot phase")).map((l) =>
      /msg="(Boot phase: [^"]*)" elapsed=([\d.]+s)/.exec(l)?.slice(1)
    ),
    [
      ["Boot phase: VM started", "1.0s"],
      ["Boot phase: kernel: Linux", "3.5s"],
      ["Boot phase: READY", "4.0s"],
    ],
  );
  await Deno.remove(dir, { recursive: true });
});

/** A wait for instance DIR that logs boot phases as lines, whatever stderr is. */
function loggingPhases(dir: string, since: Date) {
  return {
    instDir: dir,
    name: "x",
    since,
    timeoutMs: 2000,
    bootDisplay: { style: "log" as const },
  };
}

/** The log lines FN writes, in logrus' text form. */
async function capturedLog(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const write = loggerWrite();
  configureLogger({ write: (l) => lines.push(l), terminal: false });
  try {
    await fn();
  } finally {
    configureLogger({ write, terminal: Deno.stderr.isTerminal() });
  }
  return lines;
}
