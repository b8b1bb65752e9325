/**
 * The host side of port forwarding (Lima's `pkg/hostagent/port.go`, `pkg/portfwd/`): host
 * listeners for the guest listeners the guest agent reports, carried over the instance's SSH
 * connection or, for TCP, the guest agent's tunnel.
 *
 * - TCP: each accepted connection opens a `direct-tcpip` channel (in-process ssh2), or, with
 *   the `openssh` engine, the forward is handed to the OpenSSH ControlMaster (`-O forward`), or,
 *   with the `tunnel` engine, each connection is a stream of the guest agent's tunnel
 *   (tunnel.ts), without SSH.
 * - UDP: with the `tunnel` engine and a tunnel that answers, each host peer is a flow of the
 *   guest agent's tunnel; otherwise one `python3` relay per forwarded port, exec'd in the guest
 *   over SSH, multiplexing the host peers as flows (python3 is part of every cloud-init guest;
 *   without it UDP forwards fail with a `failed` event). Either way a peer idle for
 *   `udpIdleMs` is forgotten and its guest socket closed.
 * - UNIX sockets: `guestSocket` → `hostSocket` over `direct-streamlocal` channels, and with
 *   `reverse: true` the host socket is exposed in the guest (`streamlocal-forward`).
 *
 * A host listener stays open while its guest listener exists: a refused connection (the
 * guest service is restarting) closes only that connection.
 */
// @ts-types="@types/ssh2"
import type {
  AcceptConnection,
  Channel,
  Client,
  ClientChannel,
  UNIXConnectionDetails,
} from "ssh2";
import { Buffer } from "node:buffer";
import dgram from "node:dgram";
import net from "node:net";
import { dirname } from "node:path";
import type {
  GuestListener,
  ListenerEvent,
  Proto,
} from "../guestagent/events.ts";
import { errorMessage } from "../errors.ts";
import { shellQuote } from "../shell_quote.ts";
import {
  decide,
  type EffectiveRules,
  isUnspecified,
  joinHostPort,
  normalizeIP,
  socketRules,
  staticRules,
} from "./rules.ts";
import type { PortForwardEvent } from "./event.ts";
import type { Tunnel } from "./tunnel.ts";
import type { TunnelFlow } from "./tunnel_flow.ts";
import relayScript from "./udp_relay.py" with { type: "text" };
import { resolvesWithin } from "../timeout.ts";

/** A forwarding event plus the log line Lima writes for it. */
export interface ForwardNotice {
  event: PortForwardEvent;
  level: "debug" | "info" | "warn";
  message: string;
}

/** How TCP data travels. */
export type TcpEngine =
  /** In-process: our listener, one ssh2 `direct-tcpip` channel per connection. */
  | { kind: "ssh2" }
  /**
   * OpenSSH's ControlMaster owns the listener (`ssh -O forward -L`). ARGS are the `ssh`
   * arguments that reach the master (options incl. `ControlPath`, `-p PORT`, destination).
   */
  | {
    kind: "openssh";
    args: string[];
    ssh?: string;
    /** Settles once the ControlMaster runs; forwards wait for it. */
    ready?: Promise<unknown>;
  }
  /**
   * Our listener, one tunnel stream per connection, and UDP forwards as flows of the same
   * tunnel. TUNNEL settles once it is known whether the guest's tunnel answers (forwards wait
   * for it); undefined means FALLBACK carries TCP and the SSH relay UDP.
   */
  | {
    kind: "tunnel";
    tunnel: Promise<Tunnel | undefined>;
    fallback: Exclude<TcpEngine, { kind: "tunnel" }>;
  };

export interface ForwarderOptions {
  /** The authenticated ssh2 client of the instance. */
  client: Client;
  rules: EffectiveRules;
  /** Receives every forwarding event (the host agent logs it and writes it to its event stream). */
  onNotice?: (notice: ForwardNotice) => void;
  /** Default: `ssh2`. */
  tcp?: TcpEngine;
  /** A UDP peer without traffic for this long is forgotten; default 60 s. */
  udpIdleMs?: number;
}

/** A host listener and the guest listeners it serves (several guest sockets may map to one host port). */
interface HostForward {
  proto: Proto;
  hostAddr: string;
  /** Guest listeners (keys) → dial address; the first is used. */
  targets: Map<string, { ip: string; port: number }>;
  close(): Promise<void>;
  isStatic: boolean;
}

const UDP_CLOSE = 0xFFFFFFFF;

/** Failures Lima logs at debug level only (`negligible-reason`). */
function negligible(proto: Proto, port: number, err: unknown): boolean {
  if ((err as { code?: string }).code === "EACCES") return true;
  return proto === "tcp" ? port === 53 : [53, 323, 5353, 5355].includes(port);
}

/** The address to dial for a guest listener: a wildcard listener is reached over loopback. */
function dialAddress(l: GuestListener): { ip: string; port: number } {
  const ip = normalizeIP(l.ip);
  if (ip === "0.0.0.0") return { ip: "127.0.0.1", port: l.port };
  if (ip === "::") return { ip: "::1", port: l.port };
  return { ip, port: l.port };
}

const keyOf = (l: GuestListener) =>
  `${l.proto} ${joinHostPort(normalizeIP(l.ip), l.port)}`;

function pipeBoth(
  a: NodeJS.ReadWriteStream & { destroy(): void },
  b: typeof a,
) {
  a.on("error", () => b.destroy());
  b.on("error", () => a.destroy());
  a.pipe(b);
  b.pipe(a);
}

/** A UDP socket bound to HOST_IP:HOST_PORT. */
async function bindUDP(
  hostIP: string,
  hostPort: number,
): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(hostIP) ? "udp6" : "udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(hostPort, hostIP, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  return socket;
}

/** Calls DROP for each entry of FLOWS without traffic for IDLE_MS; the timer's stop. */
function sweepIdle<T extends { last: number }>(
  flows: Map<string, T>,
  idleMs: number,
  drop: (flow: T) => void,
): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [key, flow] of flows) {
      if (now - flow.last < idleMs) continue;
      flows.delete(key);
      drop(flow);
    }
  }, Math.min(idleMs, 10_000));
  return () => clearInterval(timer);
}

function listen(
  server: net.Server,
  options: net.ListenOptions,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Forwards guest listeners to the host according to an instance's rules. */
export class Forwarder implements AsyncDisposable {
  readonly #client: Client;
  readonly #rules: EffectiveRules;
  readonly #notify: (n: ForwardNotice) => void;
  readonly #tcp: TcpEngine;
  readonly #udpIdleMs: number;
  /** By `proto hostAddr`. */
  readonly #forwards = new Map<string, HostForward>();
  /** Guest listener key → host forward key. */
  readonly #byGuest = new Map<string, string>();
  readonly #socketCleanups: (() => Promise<void>)[] = [];
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: ForwarderOptions) {
    this.#client = options.client;
    this.#rules = options.rules;
    this.#notify = options.onNotice ?? (() => {});
    this.#tcp = options.tcp ?? { kind: "ssh2" };
    this.#udpIdleMs = options.udpIdleMs ?? 60_000;
  }

  /** The active host listeners: `proto hostAddr` → guest address dialled. */
  get active(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, f] of this.#forwards) {
      const first = f.targets.values().next().value;
      if (first) out.set(key, joinHostPort(first.ip, first.port));
    }
    return out;
  }

  /** Applies one guest-agent event (removals first, so a restarted service gets its port back). */
  apply(event: ListenerEvent): Promise<void> {
    const run = this.#queue.then(async () => {
      for (const l of event.removed) await this.#remove(l);
      for (const l of event.added) await this.#add(l);
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Applies EVENTS until they end. */
  async run(events: AsyncIterable<ListenerEvent>): Promise<void> {
    for await (const event of events) {
      if (this.#closed) break;
      await this.apply(event);
    }
  }

  /** Sets up the `static` TCP rules, regardless of guest listeners. */
  async forwardStatic(): Promise<void> {
    for (const rule of staticRules(this.#rules)) {
      if (rule.proto === "udp") continue;
      const [first, last] = rule.guestPortRange!;
      const hostFirst = rule.hostPortRange?.[0] ?? first;
      for (let port = first; port <= last; port++) {
        const guest: GuestListener = {
          proto: "tcp",
          ip: isUnspecified(rule.guestIP ?? "") ? "127.0.0.1" : rule.guestIP!,
          port,
        };
        await this.#open(
          guest,
          rule.hostIP ?? "127.0.0.1",
          port - first + hostFirst,
          true,
        );
      }
    }
  }

  /** Sets up the UNIX-socket rules (both directions). */
  async forwardSockets(): Promise<void> {
    for (const rule of socketRules(this.#rules)) {
      const guestSocket = rule.guestSocket!, hostSocket = rule.hostSocket!;
      const event = (type: PortForwardEvent["type"], error?: string) =>
        ({
          type,
          protocol: "unix",
          guestAddr: guestSocket,
          hostAddr: hostSocket,
          ...(error ? { error } : {}),
        }) satisfies PortForwardEvent;
      try {
        if (rule.reverse) await this.#reverseSocket(guestSocket, hostSocket);
        else await this.#forwardSocket(guestSocket, hostSocket);
        this.#notify({
          event: event("forwarding"),
          level: "info",
          message: rule.reverse
            ? `Forwarding unix socket from ${hostSocket} to guest ${guestSocket}`
            : `Forwarding unix socket from guest ${guestSocket} to ${hostSocket}`,
        });
      } catch (err) {
        this.#notify({
          event: event("failed", errorMessage(err)),
          level: "warn",
          message: `Failed to forward unix socket ${guestSocket} (${
            rule.reverse ? "reverse" : "forward"
          }) ${hostSocket}: ${errorMessage(err)}`,
        });
      }
    }
  }

  /** Closes every listener and socket forward. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    for (const [key, f] of [...this.#forwards]) {
      this.#forwards.delete(key);
      await f.close();
      const first = f.targets.values().next().value;
      this.#stopped(f, first ? joinHostPort(first.ip, first.port) : "");
    }
    this.#byGuest.clear();
    for (const cleanup of this.#socketCleanups.splice(0).reverse()) {
      await cleanup().catch(() => {});
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #add(l: GuestListener): Promise<void> {
    if (this.#closed || this.#byGuest.has(keyOf(l))) return;
    const decision = decide(this.#rules, l);
    const guestAddr = joinHostPort(normalizeIP(l.ip), l.port);
    const protocol = l.proto.toUpperCase();
    if (decision.action !== "forward") {
      if (decision.action === "ignore" && decision.quiet) return;
      this.#notify({
        event: {
          type: "not-forwarding",
          protocol: l.proto,
          guestAddr,
          hostAddr: "",
        },
        level: "info",
        message: `Not forwarding ${protocol} ${guestAddr}`,
      });
      return;
    }
    await this.#open(l, decision.hostIP, decision.hostPort, false);
  }

  async #open(
    l: GuestListener,
    hostIP: string,
    hostPort: number,
    isStatic: boolean,
  ): Promise<void> {
    const guestKey = keyOf(l);
    const hostAddr = joinHostPort(hostIP, hostPort);
    const fwdKey = `${l.proto} ${hostAddr}`;
    const guestAddr = joinHostPort(normalizeIP(l.ip), l.port);
    const existing = this.#forwards.get(fwdKey);
    if (existing) {
      // Another guest address (e.g. ::1 next to 127.0.0.1) already feeds this host port.
      existing.targets.set(guestKey, dialAddress(l));
      this.#byGuest.set(guestKey, fwdKey);
      return;
    }
    const targets = new Map([[guestKey, dialAddress(l)]]);
    const base = { protocol: l.proto, guestAddr, hostAddr };
    try {
      const close = l.proto === "tcp"
        ? await this.#openTCP(hostIP, hostPort, targets)
        : await this.#openUDP(hostIP, hostPort, targets);
      this.#forwards.set(fwdKey, {
        proto: l.proto,
        hostAddr,
        targets,
        close,
        isStatic,
      });
      this.#byGuest.set(guestKey, fwdKey);
      this.#notify({
        event: { type: "forwarding", ...base },
        level: "info",
        message: isStatic
          ? `Setting up static ${l.proto.toUpperCase()} forwarding from ${guestAddr} to ${hostAddr}`
          : `Forwarding ${l.proto.toUpperCase()} from ${guestAddr} to ${hostAddr}`,
      });
    } catch (err) {
      const error = errorMessage(err);
      this.#notify({
        event: { type: "failed", ...base, error },
        level: negligible(l.proto, hostPort, err) ? "debug" : "warn",
        message:
          `Failed to forward ${l.proto.toUpperCase()} from ${guestAddr} to ${hostAddr}: ${error}`,
      });
    }
  }

  async #remove(l: GuestListener): Promise<void> {
    const guestKey = keyOf(l);
    const fwdKey = this.#byGuest.get(guestKey);
    if (!fwdKey) return;
    this.#byGuest.delete(guestKey);
    const f = this.#forwards.get(fwdKey);
    if (!f || f.isStatic) return;
    f.targets.delete(guestKey);
    if (f.targets.size > 0) return;
    this.#forwards.delete(fwdKey);
    await f.close();
    this.#stopped(f, joinHostPort(normalizeIP(l.ip), l.port));
  }

  #stopped(f: HostForward, guestAddr = ""): void {
    this.#notify({
      event: {
        type: "stopping",
        protocol: f.proto,
        guestAddr,
        hostAddr: f.hostAddr,
      },
      level: "info",
      message:
        `Stopping forwarding ${f.proto.toUpperCase()} from ${guestAddr} to ${f.hostAddr}`,
    });
  }

  async #openTCP(
    hostIP: string,
    hostPort: number,
    targets: Map<string, { ip: string; port: number }>,
    engine = this.#tcp,
  ): Promise<() => Promise<void>> {
    if (engine.kind === "tunnel") {
      const tunnel = await engine.tunnel;
      return tunnel
        ? await this.#openTunnelForward(hostIP, hostPort, targets, tunnel)
        : await this.#openTCP(hostIP, hostPort, targets, engine.fallback);
    }
    if (engine.kind === "openssh") {
      const target = targets.values().next().value!;
      return await this.#openSSHForward(
        `${joinHostPort(hostIP, hostPort)}:${
          joinHostPort(target.ip, target.port)
        }`,
        engine,
      );
    }
    const server = net.createServer((socket) => {
      socket.setNoDelay(true);
      const target = targets.values().next().value;
      if (!target) return void socket.destroy();
      this.#client.forwardOut(
        socket.remoteAddress ?? "127.0.0.1",
        socket.remotePort ?? 0,
        target.ip,
        target.port,
        (err, channel) => {
          // Refused (the service is restarting) or the SSH connection is gone: this connection only.
          if (err) return void socket.destroy();
          pipeBoth(socket, channel);
        },
      );
    });
    server.on("error", () => {});
    await listen(server, { host: hostIP, port: hostPort });
    return () => new Promise((resolve) => server.close(() => resolve()));
  }

  /** A host listener whose connections are streams of TUNNEL to the first target. */
  async #openTunnelForward(
    hostIP: string,
    hostPort: number,
    targets: Map<string, { ip: string; port: number }>,
    tunnel: Tunnel,
  ): Promise<() => Promise<void>> {
    // Half-open: a client that shuts its sending side still reads the guest's answer.
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.setNoDelay(true);
      const target = targets.values().next().value;
      if (!target) return void socket.destroy();
      // Data that arrives before the guest connected waits in the socket, and a client gone
      // meanwhile must not throw.
      socket.pause();
      socket.on("error", () => {});
      tunnel.dial(target.ip, target.port).then(
        (stream) =>
          socket.destroyed ? stream.destroy() : pipeBoth(socket, stream),
        // Refused (the service is restarting) or the tunnel is gone: this connection only.
        () => socket.destroy(),
      );
    });
    server.on("error", () => {});
    await listen(server, { host: hostIP, port: hostPort });
    return () => new Promise((resolve) => server.close(() => resolve()));
  }

  /** `ssh -O forward -L SPEC` through the ControlMaster; the returned function cancels it. */
  async #openSSHForward(
    spec: string,
    engine: Extract<TcpEngine, { kind: "openssh" }>,
  ): Promise<() => Promise<void>> {
    const mux = async (op: "forward" | "cancel") => {
      const out = await new Deno.Command(engine.ssh ?? "ssh", {
        args: ["-O", op, "-L", spec, ...engine.args],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).output();
      if (!out.success) {
        throw new Error(
          new TextDecoder().decode(out.stderr).trim() ||
            `ssh -O ${op} exited with ${out.code}`,
        );
      }
    };
    await engine.ready;
    await mux("forward");
    return () => mux("cancel").catch(() => {});
  }

  async #openUDP(
    hostIP: string,
    hostPort: number,
    targets: Map<string, { ip: string; port: number }>,
  ): Promise<() => Promise<void>> {
    const tunnel = this.#tcp.kind === "tunnel"
      ? await this.#tcp.tunnel
      : undefined;
    const socket = await bindUDP(hostIP, hostPort);
    const target = targets.values().next().value!;
    return tunnel
      ? this.#tunnelUDP(socket, target, tunnel)
      : await this.#relayUDP(socket, target);
  }

  /** Each peer of SOCKET a flow of TUNNEL to TARGET, new once the last one ended. */
  #tunnelUDP(
    socket: dgram.Socket,
    target: { ip: string; port: number },
    tunnel: Tunnel,
  ): () => Promise<void> {
    const flows = new Map<
      string,
      { flow: Promise<TunnelFlow | undefined>; last: number }
    >();
    let closed = false;
    const open = (key: string, peer: dgram.RemoteInfo) => {
      // A reply may still come in while the forward closes: sending on a closed socket throws.
      const reply = (datagram: Buffer) =>
        closed || socket.send(datagram, peer.port, peer.address);
      const flow = tunnel.openFlow(target.ip, target.port, reply).then(
        (flow) => {
          // Ended by the guest or with its session: the peer's next datagram opens another.
          flow.ended.then(() => {
            if (flows.get(key)?.flow === entry.flow) flows.delete(key);
          });
          return flow;
        },
        // The tunnel is gone: this datagram is lost, the next one tries again.
        () => {
          if (flows.get(key)?.flow === entry.flow) flows.delete(key);
          return undefined;
        },
      );
      const entry = { flow, last: 0 };
      flows.set(key, entry);
      return entry;
    };
    socket.on("message", (data, peer) => {
      const key = `${peer.address} ${peer.port}`;
      const entry = flows.get(key) ?? open(key, peer);
      entry.last = Date.now();
      // In order: every datagram of a peer waits for the same flow.
      entry.flow.then((flow) => flow?.send(data));
    });
    socket.on("error", () => {});
    const stop = sweepIdle(
      flows,
      this.#udpIdleMs,
      (entry) => entry.flow.then((flow) => flow?.close()),
    );
    return async () => {
      closed = true;
      stop();
      socket.close();
      const remaining = [...flows.values()];
      flows.clear();
      for (const entry of remaining) (await entry.flow)?.close();
    };
  }

  /** The peers of SOCKET relayed to TARGET by udp_relay.py, run in the guest over SSH. */
  async #relayUDP(
    socket: dgram.Socket,
    target: { ip: string; port: number },
  ): Promise<() => Promise<void>> {
    let relay: ClientChannel;
    try {
      relay = await this.#startRelay(target.ip, target.port);
    } catch (err) {
      socket.close();
      throw err;
    }
    // Listened for at once: a dropped SSH connection closes the relay before the forward.
    const closed = new Promise<void>((r) => relay.once("close", () => r()));
    const flows = new Map<string, { id: number; last: number }>();
    const peers = new Map<number, { address: string; port: number }>();
    let nextId = 1;
    const frame = (id: number, size: number) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(id, 0);
      head.writeUInt32BE(size, 4);
      return head;
    };
    socket.on("message", (data, peer) => {
      const key = `${peer.address} ${peer.port}`;
      let flow = flows.get(key);
      if (!flow) {
        flow = { id: nextId++, last: 0 };
        flows.set(key, flow);
        peers.set(flow.id, { address: peer.address, port: peer.port });
      }
      flow.last = Date.now();
      relay.write(Buffer.concat([frame(flow.id, data.length), data]));
    });
    socket.on("error", () => {});
    let pending = Buffer.alloc(0);
    relay.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const id = pending.readUInt32BE(0), size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const peer = peers.get(id);
        if (peer) {
          socket.send(pending.subarray(8, 8 + size), peer.port, peer.address);
        }
        pending = pending.subarray(8 + size);
      }
    });
    const stop = sweepIdle(flows, this.#udpIdleMs, (flow) => {
      peers.delete(flow.id);
      relay.write(frame(flow.id, UDP_CLOSE));
    });
    return async () => {
      stop();
      socket.close();
      relay.end();
      // A dead connection never acknowledges the close: give up after a second.
      await resolvesWithin(closed, 1000);
    };
  }

  #exec(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) =>
      this.#client.exec(
        command,
        (err, channel) => err ? reject(err) : resolve(channel),
      )
    );
  }

  /** Starts the UDP relay; it announces itself with an empty frame for flow 0. */
  async #startRelay(ip: string, port: number): Promise<ClientChannel> {
    const relay = await this.#exec(
      `python3 -c ${shellQuote(relayScript)} ${shellQuote(ip)} ${port}`,
    );
    let stderr = "";
    relay.stderr.on("data", (d: Buffer) => stderr += d.toString());
    await new Promise<void>((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        if (head.length < 8) return;
        relay.off("data", onData);
        relay.off("close", onClose);
        resolve();
      };
      const onClose = () => {
        relay.off("data", onData);
        reject(
          new Error(
            `the UDP relay (python3) did not start${
              stderr ? `: ${stderr.trim()}` : ""
            }`,
          ),
        );
      };
      relay.on("data", onData);
      relay.once("close", onClose);
    });
    return relay;
  }

  async #forwardSocket(guestSocket: string, hostSocket: string): Promise<void> {
    await Deno.mkdir(dirname(hostSocket), { recursive: true, mode: 0o750 });
    await Deno.remove(hostSocket).catch(() => {});
    const server = net.createServer((socket) => {
      this.#client.openssh_forwardOutStreamLocal(
        guestSocket,
        (err, channel) => {
          if (err) return void socket.destroy();
          pipeBoth(socket, channel);
        },
      );
    });
    server.on("error", () => {});
    await listen(server, { path: hostSocket });
    this.#socketCleanups.push(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Deno.remove(hostSocket).catch(() => {});
    });
  }

  async #reverseSocket(guestSocket: string, hostSocket: string): Promise<void> {
    // sshd does not replace a stale socket file unless StreamLocalBindUnlink is set.
    const rm = await this.#exec(`rm -f ${shellQuote(guestSocket)}`);
    rm.resume();
    await new Promise<void>((r) => rm.once("close", () => r()));
    const onConnection = (
      info: UNIXConnectionDetails,
      accept: AcceptConnection<Channel>,
    ) => {
      if (info.socketPath !== guestSocket) return;
      const channel = accept();
      const socket = net.connect({ path: hostSocket });
      pipeBoth(channel, socket);
    };
    this.#client.on("unix connection", onConnection);
    await new Promise<void>((resolve, reject) =>
      this.#client.openssh_forwardInStreamLocal(
        guestSocket,
        (err) => err ? reject(err) : resolve(),
      )
    ).catch((err) => {
      this.#client.off("unix connection", onConnection);
      throw err;
    });
    this.#socketCleanups.push(async () => {
      this.#client.off("unix connection", onConnection);
      await new Promise<void>((resolve) =>
        this.#client.openssh_unforwardInStreamLocal(
          guestSocket,
          () => resolve(),
        )
      );
    });
  }
}
