/**
 * `limactl watch` against instances faked as running (a live process in `ha.pid`, events
 * appended to `ha.stdout.log` while it watches), as Lima's `cmd/limactl/watch.go` prints them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { formatEventTime } from "../../core/hostagent/events.ts";
import {
  assertInfo,
  assertWarning,
  createDummyInstance,
  lines,
  spawnLimactl,
  tempLimaHome,
} from "./helpers.ts";

/** A stream collected as text, with a wait for what it should come to contain. */
class Collected {
  text = "";
  readonly closed: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.closed = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        this.text += decoder.decode(chunk, { stream: true });
      }
    })();
  }

  async waitFor(needle: string | RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const found = () =>
      typeof needle === "string"
        ? this.text.includes(needle)
        : needle.test(this.text);
    while (!found()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${needle} in:\n${this.text}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A running `limactl watch ARGS`, stopped with SIGINT as a user's Ctrl-C stops it. */
class Watch {
  readonly child: Deno.ChildProcess;
  readonly stdout: Collected;
  readonly stderr: Collected;

  constructor(args: string[], limaHome: string) {
    this.child = spawnLimactl(["watch", ...args], { limaHome });
    this.stdout = new Collected(this.child.stdout);
    this.stderr = new Collected(this.child.stderr);
  }

  /** Waits until it watches (events from now on are new). */
  ready(): Promise<void> {
    return this.stderr.waitFor(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Watching for events\.\.\.$/m,
    );
  }

  async interrupt(): Promise<Deno.CommandStatus> {
    this.child.kill("SIGINT");
    const status = await this.child.status;
    await Promise.all([this.stdout.closed, this.stderr.closed]);
    return status;
  }
}

/** Instance NAME, faked as running: a live process in `ha.pid`, an empty `ha.stdout.log`. */
async function fakeRunning(
  limaHome: string,
  name: string,
): Promise<AsyncDisposable & { append(...events: object[]): Promise<void> }> {
  await createDummyInstance(name, { limaHome });
  const dir = join(limaHome, name);
  const hostAgent = new Deno.Command("sleep", { args: ["600"] }).spawn();
  await Deno.writeTextFile(join(dir, "ha.pid"), `${hostAgent.pid}\n`);
  await Deno.writeTextFile(join(dir, "ha.stdout.log"), "");
  return {
    append: (...events: object[]) =>
      Deno.writeTextFile(
        join(dir, "ha.stdout.log"),
        events.map((e) => JSON.stringify(e) + "\n").join(""),
        { append: true },
      ),
    async [Symbol.asyncDispose]() {
      hostAgent.kill("SIGKILL");
      await hostAgent.status;
    },
  };
}

/** Lima dies of the SIGINT (Go's default for it): the shell sees exit status 130. */
function assertInterrupted(status: Deno.CommandStatus): void {
  assert.equal(status.signal, "SIGINT");
  assert.equal(status.code, 130);
  assert.equal(status.success, false);
}

const FUTURE = "2099-01-02T03:04:05.5+09:00";

Deno.test("watch prints each new event of an instance as Lima's text lines until Ctrl-C", async () => {
  const limaHome = await tempLimaHome();
  try {
    await using foo = await fakeRunning(limaHome, "foo");
    // From an earlier run: not shown without --history.
    await foo.append({
      time: "2000-01-01T00:00:00Z",
      status: { running: true, sshLocalPort: 1 },
    });
    const watch = new Watch(["foo"], limaHome);
    await watch.ready();
    const status = (status: object) => ({ time: FUTURE, status });
    await foo.append(
      status({ sshLocalPort: 60022 }),
      status({ running: true, sshLocalPort: 60022 }),
      status({ running: true, degraded: true, errors: ["e1", "e2"] }),
      status({ cloudInitProgress: { active: true, logLine: "Hello" } }),
      status({ cloudInitProgress: { active: true, completed: true } }),
      status({
        portForward: {
          type: "forwarding",
          protocol: "tcp",
          guestAddr: "0.0.0.0:80",
          hostAddr: "127.0.0.1:8080",
        },
      }),
      status({
        portForward: {
          type: "not-forwarding",
          protocol: "udp",
          guestAddr: "[::]:53",
        },
      }),
      status({
        portForward: {
          type: "stopping",
          protocol: "tcp",
          guestAddr: "0.0.0.0:80",
        },
      }),
      status({
        portForward: {
          type: "failed",
          protocol: "tcp",
          guestAddr: "0.0.0.0:22",
          error: "address in use",
        },
      }),
      status({
        vsock: { type: "started", hostAddr: "127.0.0.1:2222", vsockPort: 22 },
      }),
      status({ vsock: { type: "skipped", reason: "no vsock" } }),
      status({ vsock: { type: "failed", reason: "busy" } }),
      status({ exiting: true }),
      { time: "2099-12-31T23:59:59Z", status: {} },
    );
    await watch.stdout.waitFor("| exiting\n");
    const exited = await watch.interrupt();
    assertInterrupted(exited);
    const t = "2099-01-02 03:04:05 foo |";
    assert.deepEqual(lines(watch.stdout.text), [
      `${t} ssh available on port 60022`,
      `${t} running`,
      `${t} ssh available on port 60022`,
      `${t} running (degraded)`,
      `${t} error: e1`,
      `${t} error: e2`,
      `${t} cloud-init: Hello`,
      `${t} cloud-init completed`,
      `${t} forwarding tcp 0.0.0.0:80 to 127.0.0.1:8080`,
      `${t} not forwarding udp [::]:53`,
      `${t} stopping forwarding tcp 0.0.0.0:80`,
      `${t} failed to forward tcp 0.0.0.0:22: address in use`,
      `${t} started vsock forwarder: 127.0.0.1:2222 -> vsock:22`,
      `${t} skipped vsock forwarder: no vsock`,
      `${t} failed to start vsock forwarder: busy`,
      `${t} exiting`,
    ]);
    // Only Lima's status line: the log level is warn without --verbose.
    assert.equal(lines(watch.stderr.text).length, 1, watch.stderr.text);
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("watch --json prints Lima's {instance, event} objects as Go marshals them", async () => {
  const limaHome = await tempLimaHome();
  try {
    await using foo = await fakeRunning(limaHome, "foo");
    const watch = new Watch(["--json", "foo"], limaHome);
    await watch.ready();
    const now = new Date(Date.now() + 1000).toISOString().slice(0, 19);
    await foo.append(
      {
        time: `${now}.123400000+00:00`,
        status: {
          sshLocalPort: 60022,
          running: true,
          unknown: "dropped",
          errors: ["a <b> & c"],
          cloudInitProgress: {},
        },
      },
      {
        time: FUTURE,
        status: { portForward: { protocol: "tcp", hostAddr: "" } },
      },
    );
    await watch.stdout.waitFor(/\n.*\n/);
    assertInterrupted(await watch.interrupt());
    assert.deepEqual(lines(watch.stdout.text), [
      `{"instance":"foo","event":{"time":"${now}.1234Z","status":{"running":true,"errors":["a \\u003cb\\u003e \\u0026 c"],"sshLocalPort":60022,"cloudInitProgress":{}}}}`,
      `{"instance":"foo","event":{"time":"${FUTURE}","status":{"portForward":{"type":"","protocol":"tcp"}}}}`,
    ]);
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("watch --history includes the events from before it began", async () => {
  const limaHome = await tempLimaHome();
  try {
    await using foo = await fakeRunning(limaHome, "foo");
    await foo.append({
      time: "2000-01-01T00:00:00Z",
      status: { running: true },
    });
    const watch = new Watch(["--history", "foo"], limaHome);
    await watch.stdout.waitFor("\n");
    assertInterrupted(await watch.interrupt());
    assert.equal(watch.stdout.text, "2000-01-01 00:00:00 foo | running\n");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("watch warns about an unknown instance and goes on watching the others", async () => {
  const limaHome = await tempLimaHome();
  try {
    await using foo = await fakeRunning(limaHome, "foo");
    const watch = new Watch(["nosuch", "foo", "Bad/Name"], limaHome);
    await watch.ready();
    await foo.append({
      time: formatEventTime(new Date()),
      status: { exiting: true },
    });
    await watch.stdout.waitFor("foo | exiting\n");
    assertInterrupted(await watch.interrupt());
    assertWarning(watch.stderr.text, "Failed to inspect instance `nosuch`");
    assert.match(
      watch.stderr.text,
      /error="open \S+\/nosuch\/lima\.yaml: no such file or directory"/,
    );
    assertWarning(watch.stderr.text, "Failed to inspect instance `Bad/Name`");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("watch stops following an instance whose log is not events, and says so", async () => {
  const limaHome = await tempLimaHome();
  try {
    await using foo = await fakeRunning(limaHome, "foo");
    const watch = new Watch(["foo"], limaHome);
    await watch.ready();
    await Deno.writeTextFile(
      join(limaHome, "foo", "ha.stdout.log"),
      "not an event\n",
      {
        append: true,
      },
    );
    await watch.stderr.waitFor("Watcher for instance `foo` stopped");
    await foo.append({ time: FUTURE, status: { running: true } });
    await new Promise((r) => setTimeout(r, 500));
    assertInterrupted(await watch.interrupt());
    assertWarning(watch.stderr.text, "Watcher for instance `foo` stopped");
    assert.equal(watch.stdout.text, "");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("watch without names follows every instance, and those created while it runs", async () => {
  const limaHome = await tempLimaHome();
  try {
    const watch = new Watch([], limaHome);
    await watch.ready();
    assert.match(
      watch.stderr.text,
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d No instances found\n/,
    );
    // Not running yet: an instance is followed all the same, from its creation on.
    await createDummyInstance("bar", { limaHome });
    await watch.stderr.waitFor(/ New instance detected: bar\n/);
    await Deno.writeTextFile(
      join(limaHome, "bar", "ha.stdout.log"),
      JSON.stringify({ time: FUTURE, status: { running: true } }) + "\n",
    );
    await watch.stdout.waitFor("\n");
    assertInterrupted(await watch.interrupt());
    assert.equal(watch.stdout.text, "2099-01-02 03:04:05 bar | running\n");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("watch --verbose re-logs the host agent's log records", async () => {
  const limaHome = await tempLimaHome();
  try {
    await using _foo = await fakeRunning(limaHome, "foo");
    const record = JSON.stringify({
      level: "info",
      msg: "SSH is ready",
      time: formatEventTime(new Date(Date.now() + 1000)),
    });
    const quiet = new Watch(["foo"], limaHome);
    const verbose = new Watch(["--verbose", "foo"], limaHome);
    await Promise.all([quiet.ready(), verbose.ready()]);
    await Deno.writeTextFile(
      join(limaHome, "foo", "ha.stderr.log"),
      record + "\n",
    );
    await verbose.stderr.waitFor("[hostagent] SSH is ready");
    // Long enough for the quiet one to have read it too.
    await new Promise((r) => setTimeout(r, 500));
    assertInterrupted(await quiet.interrupt());
    assertInterrupted(await verbose.interrupt());
    assertInfo(verbose.stderr.text, "[hostagent] SSH is ready");
    assert.ok(!quiet.stderr.text.includes("[hostagent]"), quiet.stderr.text);
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("watch is listed with Lima's help", async () => {
  const limaHome = await tempLimaHome();
  try {
    const watch = spawnLimactl(["watch", "--help"], { limaHome });
    const out = await watch.output();
    assert.equal(out.code, 0);
    const help = new TextDecoder().decode(out.stdout);
    assert.match(help, /^Watch events from Lima instances\.\n/);
    assert.match(
      help,
      /\nUsage:\n {2}limactl watch \[INSTANCE\]\.\.\. \[flags\]\n/,
    );
    assert.match(
      help,
      /\n {6}--history {3}Include historical events from before watch started\n/,
    );
    const root = spawnLimactl(["--help"], { limaHome });
    assert.match(
      new TextDecoder().decode((await root.output()).stdout),
      /\n {2}watch +Watch events from instances\n/,
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});
