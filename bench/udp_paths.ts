/**
 * Forwarded UDP measured from the host: round trips and windowed throughput against a guest
 * echo service, and the SSH path to compare with the host agent's (a Forwarder of this process
 * on the instance's SSH connection, which runs core/portfwd/udp_relay.py in the guest).
 */
import { Buffer } from "node:buffer";
import dgram from "node:dgram";
import { Forwarder } from "../core/portfwd/forwarder.ts";
import { connect, type SSHConnection } from "../core/ssh/client.ts";
import { median } from "./measure.ts";

/** A UDP echo service for the guest, on 0.0.0.0:PORT. */
export const udpEchoScript = (port: number) =>
  `import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", ${port}))
while True:
    data, peer = s.recvfrom(65535)
    s.sendto(data, peer)
`;

export interface UdpFigures {
  /** Median round trip of one datagram at a time, in ms. */
  rttMs: number;
  /** Echoed payload MB/s with WINDOW datagrams in flight. */
  rate: number;
  /** Datagrams that never came back. */
  lost: number;
}

const WINDOW = 16;
const SIZE = 1200;

/** Sends datagrams to 127.0.0.1:PORT and measures their echoes; ROUNDS of each kind. */
export async function measureUDP(
  port: number,
  rounds: number,
): Promise<UdpFigures> {
  const sock = dgram.createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  let onEcho: (seq: number) => void = () => {};
  sock.on("message", (msg) => onEcho(msg.readUInt32BE(0)));
  const listen = (f: (seq: number) => void) => onEcho = f;
  try {
    const rtts: number[] = [];
    let lost = 0;
    for (let seq = 0; seq < rounds; seq++) {
      const started = performance.now();
      if (await exchange(sock, port, [seq], listen)) {
        rtts.push(performance.now() - started);
      } else lost++;
    }
    const started = performance.now();
    let got = 0;
    for (let at = 0; at < rounds * WINDOW; at += WINDOW) {
      const seqs = Array.from({ length: WINDOW }, (_, i) => at + i);
      got += await exchange(sock, port, seqs, listen);
    }
    return {
      rttMs: median(rtts),
      rate: got * SIZE / 1e6 / ((performance.now() - started) / 1000),
      lost: lost + rounds * WINDOW - got,
    };
  } finally {
    sock.close();
  }
}

/** Returns once 127.0.0.1:PORT echoes a datagram; throws after LIMIT_MS. */
export async function untilEchoed(port: number, limitMs: number) {
  const deadline = Date.now() + limitMs;
  while ((await measureUDP(port, 1)).lost > 0) {
    if (Date.now() > deadline) {
      throw new Error(`127.0.0.1:${port} echoed nothing within ${limitMs} ms`);
    }
  }
}

/**
 * Sends a datagram of SIZE bytes for each of SEQS and counts the echoes that come back before
 * a second passes without one; LISTEN installs the callback for each echo's sequence number.
 */
function exchange(
  sock: dgram.Socket,
  port: number,
  seqs: number[],
  listen: (f: (seq: number) => void) => void,
): Promise<number> {
  const pending = new Set(seqs);
  return new Promise((resolve) => {
    let timer = setTimeout(done, 1000);
    function done() {
      clearTimeout(timer);
      listen(() => {});
      resolve(seqs.length - pending.size);
    }
    listen((seq) => {
      if (!pending.delete(seq)) return;
      if (pending.size === 0) return done();
      clearTimeout(timer);
      timer = setTimeout(done, 1000);
    });
    for (const seq of seqs) {
      const datagram = Buffer.alloc(SIZE);
      datagram.writeUInt32BE(seq, 0);
      sock.send(datagram, port, "127.0.0.1");
    }
  });
}

/** The SSH connection of the instance in INST_DIR, as its ssh.config describes it. */
export async function instanceSSH(instDir: string): Promise<SSHConnection> {
  const config = await Deno.readTextFile(`${instDir}/ssh.config`);
  const field = (name: string) => {
    const m = new RegExp(`^\\s*${name}\\s+"?([^"\\n]+)"?$`, "m").exec(config);
    if (!m) throw new Error(`${instDir}/ssh.config has no ${name}`);
    return m[1];
  };
  return await connect({
    name: "bench",
    instDir,
    host: field("Hostname"),
    port: Number(field("Port")),
    user: field("User"),
    identityFiles: [field("IdentityFile")],
    forwardAgent: false,
  });
}

/** Forwards guest UDP GUEST_PORT to host HOST_PORT over CONN with the SSH relay. */
export async function sshUDPForward(
  conn: SSHConnection,
  guestPort: number,
  hostPort: number,
): Promise<Forwarder> {
  const forwarder = new Forwarder({
    client: conn.client,
    rules: {
      rules: [{
        guestIP: "127.0.0.1",
        guestIPMustBeZero: false,
        guestPortRange: [guestPort, guestPort],
        hostIP: "127.0.0.1",
        hostPortRange: [hostPort, hostPort],
        proto: "udp",
        ignore: false,
        reverse: false,
        static: false,
      }],
      disabled: new Set(),
    },
    tcp: { kind: "ssh2" },
  });
  await forwarder.apply({
    added: [{ proto: "udp", ip: "127.0.0.1", port: guestPort }],
    removed: [],
  });
  if (forwarder.active.size === 0) {
    throw new Error(`the SSH relay did not forward UDP port ${guestPort}`);
  }
  return forwarder;
}
