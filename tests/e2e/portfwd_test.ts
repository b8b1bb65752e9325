/**
 * Port forwarding on a real instance: guest services on 127.0.0.1 and 0.0.0.0 appear on the
 * host within 5 s of listening and keep working across a service restart, UDP echo, a rule
 * with another host port, an `ignore` rule, and a UNIX socket forward. TCP and UDP go over the
 * guest agent's tunnel (`LIMA_SSH_PORT_FORWARDER=false`, Lima's default), 8 MiB of TCP checked
 * each way; after a restart with `LIMA_SSH_PORT_FORWARDER=true`, over SSH.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import dgram from "node:dgram";
import { parse, stringify } from "yaml";
import { testTemplate } from "../fixtures/test_template.ts";
import {
  guestImage,
  type Lima,
  seconds,
  skipVMTests,
  sleep,
  start,
  withLima,
} from "./harness.ts";

/**
 * A guest server: `tcp IP PORT TAG` answers TAG, `udp IP PORT` and `unix PATH` echo,
 * `many IP FIRST` only listens on 50 ports from FIRST, and `hash IP PORT` reads to EOF, then
 * sends the SHA-256 of what it read, a newline, 8 MiB of random bytes and their SHA-256.
 */
const SERVER = `
import hashlib, os, socket, sys, time
kind = sys.argv[1]
if kind == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[2], int(sys.argv[3])))
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)
if kind == "many":
    held = []
    for port in range(int(sys.argv[3]), int(sys.argv[3]) + 50):
        s = socket.socket()
        s.bind((sys.argv[2], port))
        s.listen()
        held.append(s)
    while True:
        time.sleep(3600)
if kind == "unix":
    path = sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    os.chmod(path, 0o666)
else:
    s = socket.socket(socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[2], int(sys.argv[3])))
s.listen()
while True:
    c, _ = s.accept()
    if kind == "unix":
        c.sendall(c.recv(65535))
    elif kind == "hash":
        h = hashlib.sha256()
        while True:
            d = c.recv(65536)
            if not d:
                break
            h.update(d)
        out = os.urandom(8 << 20)
        c.sendall(h.hexdigest().encode() + b"\\n" + out + hashlib.sha256(out).hexdigest().encode())
    else:
        c.sendall(sys.argv[4].encode() + b"\\n")
    c.close()
`;

/** The agent's CPU use over 10 s, in percent of one core (after its changes settled). */
const AGENT_CPU = `
pid=$(systemctl show -p MainPID --value lima-guestagent.service)
sleep 3
ticks() { awk '{print $14 + $15}' /proc/$pid/stat; }
a=$(ticks); sleep 10; b=$(ticks)
awk -v d=$((b - a)) -v hz=$(getconf CLK_TCK) 'BEGIN { printf "%.3f", d / hz / 10 * 100 }'
`;

/** The cgroup of the process whose UDP socket is connected to the guest's port 9090. */
const UDP_OWNER = `
pid=$(sudo ss -Huanp 'dport = :9090' | sed -n 's/.*pid=\\([0-9]*\\).*/\\1/p' | head -n 1)
echo "owner: \${pid:-none}"
[ -n "$pid" ] && cat /proc/$pid/cgroup
`;

const decoder = new TextDecoder();

async function guest(lima: Lima, script: string): Promise<void> {
  await lima.expect(0, ["shell", "vm", "sh", "-c", script]);
}

/** Starts SERVER in the guest as a transient systemd unit named UNIT. */
async function serve(lima: Lima, unit: string, args: string): Promise<void> {
  await guest(
    lima,
    `sudo systemd-run --quiet --collect --unit=${unit} python3 /tmp/server.py ${args}`,
  );
}

/** What a TCP connection to the host PORT reads before EOF ("" when refused or cut). */
async function readTCP(port: number): Promise<string> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const chunks: string[] = [];
    const buf = new Uint8Array(256);
    const timer = setTimeout(() => conn.close(), 2000);
    try {
      for (let n; (n = await conn.read(buf)) !== null;) {
        chunks.push(decoder.decode(buf.subarray(0, n)));
      }
    } catch {
      // Closed by the timer.
    } finally {
      clearTimeout(timer);
    }
    try {
      conn.close();
    } catch {
      // Already closed.
    }
    return chunks.join("").trim();
  } catch {
    return "";
  }
}

const sha256 = (data: Uint8Array) =>
  createHash("sha256").update(data).digest("hex");

/** Sends SENT to host PORT, closes the writing side, and returns everything read back. */
async function exchange(port: number, sent: Uint8Array): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const reading = new Response(conn.readable).bytes();
  const writer = conn.writable.getWriter();
  await writer.write(sent);
  writer.releaseLock();
  await conn.closeWrite();
  return await reading;
}

/** Waits until the host agent's log matches PATTERN; fails after LIMIT_MS. */
async function logged(lima: Lima, pattern: RegExp, limitMs: number) {
  const path = `${lima.dir("vm")}/ha.stderr.log`;
  const started = performance.now();
  while (!pattern.test(await Deno.readTextFile(path))) {
    if (performance.now() - started > limitMs) {
      assert.fail(
        `the host agent did not log ${pattern} within ${seconds(limitMs)}`,
      );
    }
    await sleep(100);
  }
}

/** Milliseconds until host PORT answers EXPECTED; fails after LIMIT_MS. */
async function reachable(
  port: number,
  expected: string,
  limitMs: number,
): Promise<number> {
  const started = performance.now();
  let last = "";
  while (performance.now() - started < limitMs) {
    last = await readTCP(port);
    if (last === expected) return performance.now() - started;
    await sleep(100);
  }
  assert.fail(
    `127.0.0.1:${port} did not answer ${expected} within ${
      seconds(limitMs)
    } (last answer: ${JSON.stringify(last)})`,
  );
}

async function udpEcho(port: number, message: string): Promise<string> {
  const sock = dgram.createSocket("udp4");
  const replies: string[] = [];
  sock.on("message", (data) => replies.push(decoder.decode(data)));
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
  try {
    for (let attempt = 0; attempt < 50 && replies.length === 0; attempt++) {
      sock.send(message, port, "127.0.0.1");
      await sleep(200);
    }
    return replies[0] ?? "";
  } finally {
    sock.close();
  }
}

/** Whether an OpenSSH ControlMaster answers on the instance's `ssh.sock`. */
async function controlMasterRuns(lima: Lima): Promise<boolean> {
  const out = await new Deno.Command("ssh", {
    args: ["-F", `${lima.dir("vm")}/ssh.config`, "-O", "check", "lima-vm"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}

/** What a UNIX socket forward at PATH echoes for MESSAGE, retried for up to 10 s. */
async function unixEcho(path: string, message: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    try {
      const conn = await Deno.connect({ transport: "unix", path });
      try {
        await conn.write(new TextEncoder().encode(message));
        const buf = new Uint8Array(64);
        const n = await conn.read(buf);
        if (n) return decoder.decode(buf.subarray(0, n));
      } finally {
        conn.close();
      }
    } catch {
      // Not there yet, or the guest side refused.
    }
    await sleep(100);
  }
  return "";
}

Deno.test({
  name: "guest listeners are forwarded to the host as the rules say",
  ignore: skipVMTests,
}, async (t) => {
  const image = await guestImage();
  await withLima(async (lima) => {
    const template = parse(testTemplate(image));
    template.portForwards = [
      { guestPort: 8082, ignore: true },
      { guestPort: 8083, hostPort: 18083 },
      { guestSocket: "/tmp/echo.sock", hostSocket: "echo.sock" },
    ];
    const file = `${lima.home}/vm.yaml`;
    await Deno.writeTextFile(file, stringify(template));
    await start(lima, ["--tty=false", file]);
    await lima.expect(
      0,
      ["shell", "vm", "sh", "-c", "cat >/tmp/server.py"],
      SERVER,
    );

    await t.step("a 127.0.0.1 listener is on the host within 5 s", async () => {
      await serve(lima, "web8080", "tcp 127.0.0.1 8080 loopback");
      const ms = await reachable(8080, "loopback", 10_000);
      console.log(`  127.0.0.1:8080 forwarded after ${seconds(ms)}`);
      assert.ok(ms < 5000, `forwarded only after ${seconds(ms)}`);
    });

    await t.step("a 0.0.0.0 listener is on the host within 5 s", async () => {
      await serve(lima, "web8081", "tcp 0.0.0.0 8081 wildcard");
      const ms = await reachable(8081, "wildcard", 10_000);
      console.log(`  0.0.0.0:8081 forwarded after ${seconds(ms)}`);
      assert.ok(ms < 5000, `forwarded only after ${seconds(ms)}`);
    });

    await t.step("a restarted service is reachable again", async () => {
      await guest(lima, "sudo systemctl stop web8080");
      await serve(lima, "web8080b", "tcp 127.0.0.1 8080 restarted");
      const ms = await reachable(8080, "restarted", 10_000);
      assert.ok(ms < 5000, `reachable again only after ${seconds(ms)}`);
    });

    await t.step("a rule maps a guest port to another host port", async () => {
      await serve(lima, "web8083", "tcp 127.0.0.1 8083 mapped");
      await reachable(18083, "mapped", 5000);
      assert.equal(await readTCP(8083), "");
    });

    await t.step(
      "TCP goes over the guest agent's tunnel, 8 MiB intact each way",
      async () => {
        await serve(lima, "hash8084", "hash 127.0.0.1 8084");
        await logged(lima, /Forwarding TCP from 127\.0\.0\.1:8084/, 10_000);
        const sent = new Uint8Array(8 << 20);
        for (let at = 0; at < sent.length; at += 65536) {
          crypto.getRandomValues(sent.subarray(at, at + 65536));
        }
        const started = performance.now();
        const back = await exchange(8084, sent);
        const ms = performance.now() - started;
        const text = decoder.decode(back.subarray(0, 65));
        assert.equal(text, `${sha256(sent)}\n`, "the guest got other bytes");
        const payload = back.subarray(65, back.length - 64);
        assert.equal(payload.length, 8 << 20);
        assert.equal(
          decoder.decode(back.subarray(back.length - 64)),
          sha256(payload),
          "the host got other bytes",
        );
        console.log(`  16 MiB through the tunnel in ${seconds(ms)}`);
        const log = await Deno.readTextFile(`${lima.dir("vm")}/ha.stderr.log`);
        assert.match(
          log,
          /Forwarding TCP and UDP ports over the guest agent's tunnel/,
        );
        assert.doesNotMatch(log, /ports over SSH/);
      },
    );

    await t.step(
      "UDP datagrams are echoed through the guest agent's tunnel",
      async () => {
        await serve(lima, "udp9090", "udp 0.0.0.0 9090");
        const reply = await udpEcho(9090, "ping over udp");
        const log = await Deno.readTextFile(`${lima.dir("vm")}/ha.stderr.log`);
        assert.equal(
          reply,
          "ping over udp",
          log.split("\n").filter((l) => /UDP|udp/.test(l)).join("\n"),
        );
        // The guest's end of the flow is a socket of the guest agent's service, where the SSH
        // relay's would be in an SSH session.
        const r = await lima.expect(0, ["shell", "vm", "sh", "-c", UDP_OWNER]);
        assert.match(r.stdout, /lima-guestagent\.service/, r.stdout);
      },
    );

    await t.step("an ignore rule keeps a port off the host", async () => {
      await serve(lima, "web8082", "tcp 127.0.0.1 8082 ignored");
      await sleep(5000);
      assert.equal(await readTCP(8082), "");
      const log = await Deno.readTextFile(`${lima.dir("vm")}/ha.stderr.log`);
      assert.match(log, /Not forwarding TCP 127\.0\.0\.1:8082/);
    });

    await t.step("a UNIX socket forward carries data", async () => {
      await serve(lima, "unixecho", "unix /tmp/echo.sock");
      const path = `${lima.dir("vm")}/sock/echo.sock`;
      const reply = await unixEcho(path, "through the socket");
      const log = await Deno.readTextFile(`${lima.dir("vm")}/ha.stderr.log`);
      assert.equal(
        reply,
        "through the socket",
        log.split("\n").filter((l) => /unix|udp|UDP/.test(l)).join("\n"),
      );
    });

    await t.step("the guest agent is a service started at boot", async () => {
      const r = await lima.expect(0, [
        "shell",
        "vm",
        "systemctl",
        "is-active",
        "lima-guestagent.service",
      ]);
      assert.equal(r.stdout.trim(), "active");
      const log = await Deno.readTextFile(`${lima.dir("vm")}/ha.stderr.log`);
      assert.match(log, /Guest agent is running/);
      assert.doesNotMatch(log, /running it over SSH/);
      // TCP goes over the tunnel, so the guest was spared the master's login.
      assert.equal(await controlMasterRuns(lima), false);
    });

    await t.step(
      "with 50 listeners the agent uses under 1% of a core",
      async () => {
        await serve(lima, "many", "many 127.0.0.1 20000");
        const r = await lima.expect(0, ["shell", "vm", "sh", "-c", AGENT_CPU]);
        const percent = Number(r.stdout.trim());
        console.log(
          `  guest agent CPU with 50 more listeners: ${percent.toFixed(2)}%`,
        );
        assert.ok(percent < 1, `the guest agent used ${percent}% of a core`);
      },
    );

    await t.step("stop removes the forwards", async () => {
      await lima.expect(0, ["stop", "vm"]);
      assert.equal(await readTCP(8081), "");
    });

    await t.step(
      "with LIMA_SSH_PORT_FORWARDER=true TCP and UDP go over SSH after a restart",
      async () => {
        lima.env.LIMA_SSH_PORT_FORWARDER = "true";
        await start(lima, ["--tty=false", "vm"]);
        await lima.expect(
          0,
          ["shell", "vm", "sh", "-c", "cat >/tmp/server.py"],
          SERVER,
        );
        await serve(lima, "web8085", "tcp 127.0.0.1 8085 over-ssh");
        await reachable(8085, "over-ssh", 10_000);
        assert.equal(await controlMasterRuns(lima), true);
        await serve(lima, "udp9090ssh", "udp 0.0.0.0 9090");
        assert.equal(await udpEcho(9090, "ping over ssh"), "ping over ssh");
        // The guest's end of the flow is the SSH relay, in the SSH session's scope.
        const r = await lima.expect(0, ["shell", "vm", "sh", "-c", UDP_OWNER]);
        assert.match(r.stdout, /session-\d+\.scope/, r.stdout);
        await logged(
          lima,
          /Forwarding TCP and UDP ports over SSH, as LIMA_SSH_PORT_FORWARDER asks/,
          1000,
        );
        await lima.expect(0, ["stop", "vm"]);
      },
    );
  }, { LIMA_SSH_PORT_FORWARDER: "false" });
});
