import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import dgram from "node:dgram";
import net from "node:net";
import { join } from "node:path";
// @ts-types="@types/ssh2"
import { Client } from "ssh2";
import type { PortForward } from "../config/schema.ts";
import { startGuestAgent } from "../guestagent/agent.ts";
import { SSHConnection } from "../ssh/client.ts";
import { freeLoopbackPort } from "../../tests/fixtures/free_port.ts";
import { startLocalTunnel } from "../../tests/fixtures/local_tunnel.ts";
import { haveSSHD, startTestGuest } from "../../tests/fixtures/sshd.ts";
import type { SSHTarget } from "../ssh/target.ts";
import { Forwarder, type ForwardNotice } from "./forwarder.ts";
import type { EffectiveRules } from "./rules.ts";

const ignore = !haveSSHD();

function rule(r: Partial<PortForward>): PortForward {
  return {
    guestIP: "127.0.0.1",
    guestIPMustBeZero: false,
    hostIP: "127.0.0.1",
    proto: "any",
    ignore: false,
    reverse: false,
    static: false,
    ...r,
  };
}

/** RULES, then an ignore-everything rule: the "guest" is this host, whose other ports must stay alone. */
function only(...rules: PortForward[]): EffectiveRules {
  return {
    rules: [
      ...rules,
      rule({
        guestIP: "0.0.0.0",
        guestPortRange: [1, 65535],
        ignore: true,
      }),
    ],
    disabled: new Set(),
  };
}

async function sshClient(target: SSHTarget): Promise<Client> {
  const client = new Client();
  const key = Buffer.from(await Deno.readFile(target.identityFiles[0]));
  await new Promise<void>((resolve, reject) => {
    client.once("ready", () => resolve()).once("error", reject).connect({
      host: target.host,
      port: target.port,
      username: target.user,
      privateKey: key,
      hostVerifier: () => true,
    });
  });
  return client;
}

async function until<T>(
  what: string,
  f: () => T | undefined | Promise<T | undefined>,
  ms = 5000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A forwarder over CLIENT for a UDP listener at 127.0.0.1:GUEST, on host port HOST. */
async function forwardUDP(
  client: Client,
  guest: number,
  host: number,
  onNotice: (notice: ForwardNotice) => void = () => {},
): Promise<Forwarder> {
  const forwarder = new Forwarder({
    client,
    rules: only(rule({
      proto: "udp",
      guestPortRange: [guest, guest],
      hostPortRange: [host, host],
    })),
    onNotice,
  });
  await forwarder.apply({
    added: [{ proto: "udp", ip: "127.0.0.1", port: guest }],
    removed: [],
  });
  return forwarder;
}

function echoServer(port: number): Deno.TcpListener {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  (async () => {
    for await (const conn of listener) {
      conn.readable.pipeTo(conn.writable).catch(() => {});
    }
  })().catch(() => {});
  return listener;
}

/** Sends TEXT to 127.0.0.1:PORT and returns the reply, or throws when the connection fails. */
async function roundTrip(port: number, text: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(text));
    const buf = new Uint8Array(text.length);
    let got = 0;
    while (got < buf.length) {
      const n = await conn.read(buf.subarray(got));
      if (n === null) throw new Error("connection closed");
      got += n;
    }
    return new TextDecoder().decode(buf);
  } finally {
    conn.close();
  }
}

async function refused(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return false;
  } catch {
    return true;
  }
}

Deno.test({
  name:
    "TCP listeners found by the guest agent are forwarded, survive restarts, and ignore rules block",
  ignore,
  fn: async () => {
    await using guest = await startTestGuest();
    const client = await sshClient(guest.target);
    const [g1, h1, g2, h2, g3] = Array.from({ length: 5 }, freeLoopbackPort);
    const notices: ForwardNotice[] = [];
    const forwarder = new Forwarder({
      client,
      rules: only(
        rule({ guestPortRange: [g1, g1], hostPortRange: [h1, h1] }),
        rule({ guestPortRange: [g2, g2], ignore: true }),
        rule({ guestPortRange: [g2, g2], hostPortRange: [h2, h2] }),
        // The host port is taken (by sshd): a failure event, not a crash.
        rule({
          guestPortRange: [g3, g3],
          hostPortRange: [guest.sshd.port, guest.sshd.port],
        }),
      ),
      onNotice: (n) => notices.push(n),
    });
    const agent = await startGuestAgent(
      new SSHConnection(client, guest.target),
      { intervalMs: 200 },
    );
    const running = forwarder.run(agent.events);
    try {
      let server = echoServer(g1);
      const blocked = echoServer(g2);
      const busy = echoServer(g3);
      const started = Date.now();
      await until("the forward", () =>
        notices.find((n) =>
          n.message ===
            `Forwarding TCP from 127.0.0.1:${g1} to 127.0.0.1:${h1}`
        ));
      assert.ok(Date.now() - started < 5000, "forwarded within 5 s");
      assert.equal(await roundTrip(h1, "hello"), "hello");

      // Restart on the same port: a connection attempt while it is down fails alone.
      server.close();
      await refused(h1);
      server = echoServer(g1);
      await until("the restarted service", async () => {
        try {
          return await roundTrip(h1, "again") === "again";
        } catch {
          return undefined;
        }
      });

      await until(
        "the ignore notice",
        () =>
          notices.find((n) =>
            n.message === `Not forwarding TCP 127.0.0.1:${g2}`
          ),
      );
      assert.ok(await refused(h2), "an ignored port must not be forwarded");
      const failed = await until(
        "the failure",
        () => notices.find((n) => n.event.type === "failed"),
      );
      assert.equal(failed.event.guestAddr, `127.0.0.1:${g3}`);
      assert.equal(failed.level, "warn");
      assert.match(failed.event.error ?? "", /in use/i);

      server.close();
      await until("the stop notice", () =>
        notices.find((n) =>
          n.message ===
            `Stopping forwarding TCP from 127.0.0.1:${g1} to 127.0.0.1:${h1}`
        ));
      assert.ok(await refused(h1), "the host listener closes with the guest's");
      blocked.close();
      busy.close();
    } finally {
      await agent.stop();
      await running;
      await forwarder.close();
      client.end();
    }
  },
});

Deno.test({
  name: "UDP datagrams are relayed both ways per peer",
  ignore,
  fn: async () => {
    await using guest = await startTestGuest();
    const client = await sshClient(guest.target);
    const [g, h] = [freeLoopbackPort(), freeLoopbackPort()];
    const echo = await udpEchoServer(g);
    const notices: ForwardNotice[] = [];
    const forwarder = await forwardUDP(client, g, h, (n) => notices.push(n));
    try {
      assert.equal(
        notices[0]?.message,
        `Forwarding UDP from 127.0.0.1:${g} to 127.0.0.1:${h}`,
      );
      const ask = async (text: string) => {
        const peer = dgram.createSocket("udp4");
        try {
          const reply = new Promise<string>((r) =>
            peer.once("message", (m) => r(m.toString()))
          );
          peer.send(text, h, "127.0.0.1");
          return await reply;
        } finally {
          peer.close();
        }
      };
      assert.deepEqual(await Promise.all([ask("a"), ask("b")]), [
        "echo:a",
        "echo:b",
      ]);
    } finally {
      await forwarder.close();
      echo.close();
      client.end();
    }
  },
});

Deno.test({
  name: "a UDP forward closes at once when its SSH connection has dropped",
  ignore,
  fn: async () => {
    await using guest = await startTestGuest();
    const client = await sshClient(guest.target);
    const [g, h] = [freeLoopbackPort(), freeLoopbackPort()];
    const forwarder = await forwardUDP(client, g, h);
    // As when QEMU is killed: the connection and its channels are gone before the host agent
    // closes its forwards.
    const gone = new Promise<void>((r) => client.once("close", () => r()));
    client.destroy();
    await gone;
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await forwarder.close();
    const took = performance.now() - started;
    assert.ok(took < 500, `closing took ${Math.round(took)} ms`);
  },
});

Deno.test({
  name: "UNIX sockets are forwarded from the guest and, with reverse, to it",
  ignore,
  fn: async () => {
    await using guest = await startTestGuest();
    const client = await sshClient(guest.target);
    const dir = await Deno.makeTempDir({ prefix: "lima-sock-" });
    const guestSocket = join(dir, "guest.sock");
    const hostSocket = join(dir, "host", "docker.sock");
    const hostService = join(dir, "service.sock");
    const guestView = join(dir, "guest-view.sock");
    const serve = (path: string, prefix: string) => {
      const l = Deno.listen({ transport: "unix", path });
      (async () => {
        for await (const conn of l) {
          (async () => {
            const buf = new Uint8Array(64);
            const n = await conn.read(buf);
            await conn.write(
              new TextEncoder().encode(
                prefix + new TextDecoder().decode(buf.subarray(0, n ?? 0)),
              ),
            );
            conn.close();
          })().catch(() => {});
        }
      })().catch(() => {});
      return l;
    };
    const ask = async (path: string, text: string) => {
      const conn = await Deno.connect({ transport: "unix", path });
      await conn.write(new TextEncoder().encode(text));
      const buf = new Uint8Array(64);
      let out = "";
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        out += new TextDecoder().decode(buf.subarray(0, n));
      }
      conn.close();
      return out;
    };
    const inGuest = serve(guestSocket, "guest:");
    const onHost = serve(hostService, "host:");
    // A stale file where the reverse forward goes.
    await Deno.writeTextFile(guestView, "");
    const notices: ForwardNotice[] = [];
    const forwarder = new Forwarder({
      client,
      rules: only(
        rule({ guestSocket, hostSocket }),
        rule({
          guestSocket: guestView,
          hostSocket: hostService,
          reverse: true,
        }),
      ),
      onNotice: (n) => notices.push(n),
    });
    try {
      await forwarder.forwardSockets();
      assert.deepEqual(notices.map((n) => n.event.type), [
        "forwarding",
        "forwarding",
      ]);
      assert.equal(await ask(hostSocket, "ping"), "guest:ping");
      assert.equal(await ask(guestView, "pong"), "host:pong");
    } finally {
      await forwarder.close();
      inGuest.close();
      onHost.close();
      client.end();
      await Deno.remove(dir, { recursive: true });
    }
    await assert.rejects(Deno.stat(hostSocket), Deno.errors.NotFound);
  },
});

/** A TCP forwarder of guest port G to host port H on ENGINE, with the listener reported. */
async function forwardTCP(
  g: number,
  h: number,
  tcp: ConstructorParameters<typeof Forwarder>[0]["tcp"],
  client = new Client(),
): Promise<Forwarder> {
  const forwarder = new Forwarder({
    client,
    rules: only(rule({
      proto: "tcp",
      guestPortRange: [g, g],
      hostPortRange: [h, h],
    })),
    tcp,
  });
  await forwarder.apply({
    added: [{ proto: "tcp", ip: "127.0.0.1", port: g }],
    removed: [],
  });
  return forwarder;
}

Deno.test("with the tunnel engine, TCP connections travel over the guest agent's tunnel, not SSH", async () => {
  const local = await startLocalTunnel();
  const [g, h] = [freeLoopbackPort(), freeLoopbackPort()];
  // A client that shuts its sending side still gets the answer sent after its EOF.
  const counter = net.createServer({ allowHalfOpen: true }, (c) => {
    let n = 0;
    c.on("data", (d) => n += d.length);
    c.on("end", () => c.end(`got ${n}`));
  });
  await new Promise<void>((r) => counter.listen(g, "127.0.0.1", r));
  // An unconnected SSH client: any use of SSH would fail the connection.
  const forwarder = await forwardTCP(g, h, {
    kind: "tunnel",
    tunnel: Promise.resolve(local.tunnel),
    fallback: { kind: "ssh2" },
  });
  try {
    const client = await Deno.connect({ hostname: "127.0.0.1", port: h });
    await client.write(new TextEncoder().encode("12345"));
    await client.closeWrite();
    assert.equal(await new Response(client.readable).text(), "got 5");
    await new Promise((r) => counter.close(r));
    const echo = echoServer(g);
    assert.deepEqual(
      await Promise.all([roundTrip(h, "one"), roundTrip(h, "two")]),
      ["one", "two"],
    );
    echo.close();
    // The guest service is gone: that connection fails, the forward stays.
    await assert.rejects(roundTrip(h, "three"));
    const again = echoServer(g);
    assert.equal(await roundTrip(h, "four"), "four");
    again.close();
  } finally {
    await forwarder.close();
    await local.close();
  }
});

Deno.test({
  name:
    "with the tunnel engine but no tunnel, TCP falls back to SSH and UDP to the SSH relay",
  ignore,
  fn: async () => {
    await using guest = await startTestGuest();
    const client = await sshClient(guest.target);
    const [g, h, ug, uh] = Array.from({ length: 4 }, freeLoopbackPort);
    const echo = echoServer(g);
    const udpEcho = await udpEchoServer(ug);
    const engine = {
      kind: "tunnel",
      tunnel: Promise.resolve(undefined),
      fallback: { kind: "ssh2" },
    } as const;
    const forwarder = await forwardTCP(g, h, engine, client);
    const udp = await forwardUDPOver(ug, uh, engine, { client });
    const peer = dgram.createSocket("udp4");
    try {
      assert.equal(await roundTrip(h, "over ssh"), "over ssh");
      assert.equal(await udpAsk(peer, uh, "over ssh"), "echo:over ssh");
    } finally {
      peer.close();
      await udp.close();
      await forwarder.close();
      udpEcho.close();
      echo.close();
      client.end();
    }
  },
});

/** A forwarder of UDP guest port G to host port H on the TCP engine TCP, the listener reported. */
async function forwardUDPOver(
  g: number,
  h: number,
  tcp: ConstructorParameters<typeof Forwarder>[0]["tcp"],
  extra: { client?: Client; udpIdleMs?: number; notices?: ForwardNotice[] } =
    {},
): Promise<Forwarder> {
  const forwarder = new Forwarder({
    client: extra.client ?? new Client(),
    rules: only(rule({
      proto: "udp",
      guestPortRange: [g, g],
      hostPortRange: [h, h],
    })),
    tcp,
    udpIdleMs: extra.udpIdleMs,
    onNotice: (n) => extra.notices?.push(n),
  });
  await forwarder.apply({
    added: [{ proto: "udp", ip: "127.0.0.1", port: g }],
    removed: [],
  });
  return forwarder;
}

/** A UDP echo service on 127.0.0.1:PORT answering `echo:DATAGRAM`. */
async function udpEchoServer(port: number): Promise<dgram.Socket> {
  const echo = dgram.createSocket("udp4");
  echo.on(
    "message",
    (msg, peer) =>
      echo.send(Buffer.from(`echo:${msg}`), peer.port, peer.address),
  );
  await new Promise<void>((r) => echo.bind(port, "127.0.0.1", () => r()));
  return echo;
}

/** Sends TEXT from PEER to host port H and returns the first reply. */
function udpAsk(peer: dgram.Socket, h: number, text: string): Promise<string> {
  const reply = new Promise<string>((r) =>
    peer.once("message", (m) => r(m.toString()))
  );
  peer.send(text, h, "127.0.0.1");
  return reply;
}

Deno.test("with the tunnel engine, UDP peers are flows of the guest agent's tunnel, not SSH, dropped when idle", async () => {
  const local = await startLocalTunnel();
  const [g, h] = [freeLoopbackPort(), freeLoopbackPort()];
  const echo = await udpEchoServer(g);
  const notices: ForwardNotice[] = [];
  // An unconnected SSH client: the SSH relay could not start.
  const forwarder = await forwardUDPOver(g, h, {
    kind: "tunnel",
    tunnel: Promise.resolve(local.tunnel),
    fallback: { kind: "ssh2" },
  }, { udpIdleMs: 1000, notices });
  const peers = [dgram.createSocket("udp4"), dgram.createSocket("udp4")];
  try {
    assert.deepEqual(notices.map((n) => n.message), [
      `Forwarding UDP from 127.0.0.1:${g} to 127.0.0.1:${h}`,
    ]);
    const fds = () => Array.fromAsync(Deno.readDir(`/proc/${local.pid}/fd`));
    const before = (await fds()).length;
    assert.deepEqual(
      await Promise.all([udpAsk(peers[0], h, "a"), udpAsk(peers[1], h, "b")]),
      ["echo:a", "echo:b"],
    );
    // One socket in the guest agent for each peer, closed once the peers fell silent.
    assert.equal((await fds()).length, before + 2);
    await until(
      "the idle flows' end in the guest",
      async () => (await fds()).length === before || undefined,
    );
    assert.equal(await udpAsk(peers[0], h, "again"), "echo:again");
  } finally {
    for (const peer of peers) peer.close();
    await forwarder.close();
    await local.close();
    echo.close();
  }
});
