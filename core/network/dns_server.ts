/**
 * The host resolver (Lima's `pkg/hostagent/dns/dns.go`): a DNS server on host loopback that the
 * guest reaches through the user-mode network. Names in the static table (`hostResolver.hosts`,
 * `host.lima.internal`, `lima-NAME`) are answered here; every other query goes to the host's own
 * name servers, so VPN and split DNS set up on the host work in the guest too.
 */
import { closeQuietly } from "../close_quietly.ts";
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { isIPv4, isIPv6 } from "node:net";
import { logger } from "../log.ts";
import { errorMessage } from "../errors.ts";

const TYPE_A = 1;
const TYPE_CNAME = 5;
const TYPE_AAAA = 28;
const CLASS_IN = 1;
const TTL_SECONDS = 5;
const UPSTREAM_TIMEOUT_MS = 5000;
const RCODE_SERVFAIL = 2;
const RCODE_FORMERR = 1;

export interface DNSServerOptions {
  /** Name → IP address, or name → another name (answered as a CNAME). */
  hosts: Record<string, string>;
  /** Answer AAAA queries for static names (`hostResolver.ipv6`). */
  ipv6?: boolean;
  /** Upstream servers; default: the host's /etc/resolv.conf, else 8.8.8.8 and 1.1.1.1. */
  upstream?: string[];
  /** The upstream servers' port; default 53. */
  upstreamPort?: number;
  /** The UDP port to listen on; default: one the kernel picks. */
  udpPort?: number;
  /** The TCP port to listen on; default: one the kernel picks; 0: no TCP listener. */
  tcpPort?: number;
}

/** A running DNS server; `close` stops it. */
export interface DNSServer extends AsyncDisposable {
  readonly udpPort: number;
  /** 0 when there is no TCP listener. */
  readonly tcpPort: number;
  close(): Promise<void>;
}

/** The nameservers of a resolv.conf TEXT. */
export function resolvConfServers(text: string): string[] {
  return text.split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([key, value]) => key === "nameserver" && value)
    .map(([, value]) => value);
}

function hostServers(): string[] {
  try {
    const found = resolvConfServers(Deno.readTextFileSync("/etc/resolv.conf"));
    if (found.length > 0) return found;
  } catch {
    // No resolv.conf: use the public fallbacks.
  }
  return ["8.8.8.8", "1.1.1.1"];
}

interface Question {
  name: string;
  type: number;
  /** Offset just after the question section. */
  end: number;
}

/** The first question of a query, or undefined when the message is malformed. */
export function parseQuestion(msg: Uint8Array): Question | undefined {
  if (msg.length < 12) return undefined;
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  if (view.getUint16(4) < 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  while (at < msg.length && msg[at] !== 0) {
    const len = msg[at];
    if (len > 63 || at + 1 + len > msg.length) return undefined;
    labels.push(new TextDecoder().decode(msg.subarray(at + 1, at + 1 + len)));
    at += 1 + len;
  }
  if (at + 5 > msg.length) return undefined;
  return {
    name: labels.join(".").toLowerCase(),
    type: view.getUint16(at + 1),
    end: at + 5,
  };
}

function encodeName(name: string): Uint8Array {
  const parts = name.split(".").filter(Boolean).map((label) =>
    new TextEncoder().encode(label)
  );
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 1));
  let at = 0;
  for (const p of parts) {
    out[at++] = p.length;
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function ipBytes(ip: string): Uint8Array {
  if (isIPv4(ip)) return new Uint8Array(ip.split(".").map(Number));
  const [head, tail = ""] = ip.split("::");
  const groups = (s: string) => s ? s.split(":") : [];
  const h = groups(head), t = groups(tail);
  const all = ip.includes("::")
    ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t]
    : h;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

interface DNSRecord {
  name: string;
  type: number;
  data: Uint8Array;
}

/** The records that answer NAME/TYPE from HOSTS (following aliases), or undefined if NAME is not static. */
export function staticAnswer(
  hosts: Map<string, string>,
  name: string,
  type: number,
  ipv6 = false,
): DNSRecord[] | undefined {
  if (!hosts.has(name)) return undefined;
  const records: DNSRecord[] = [];
  let current = name;
  for (let hops = 0; hops < 8; hops++) {
    const value = hosts.get(current);
    if (value === undefined) break;
    if (isIPv4(value)) {
      if (type === TYPE_A) {
        records.push({ name: current, type, data: ipBytes(value) });
      }
      break;
    }
    if (isIPv6(value)) {
      if (type === TYPE_AAAA && ipv6) {
        records.push({ name: current, type, data: ipBytes(value) });
      }
      break;
    }
    const target = value.replace(/\.$/, "").toLowerCase();
    records.push({ name: current, type: TYPE_CNAME, data: encodeName(target) });
    current = target;
  }
  return records;
}

/** A response to QUERY with RCODE and RECORDS (the question is echoed). */
export function response(
  query: Uint8Array,
  questionEnd: number,
  rcode: number,
  records: DNSRecord[] = [],
): Uint8Array {
  const parts: Uint8Array[] = [query.slice(0, questionEnd)];
  for (const r of records) {
    const head = new Uint8Array(10);
    const view = new DataView(head.buffer);
    view.setUint16(0, r.type);
    view.setUint16(2, CLASS_IN);
    view.setUint32(4, TTL_SECONDS);
    view.setUint16(8, r.data.length);
    parts.push(encodeName(r.name), head, r.data);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  const view = new DataView(out.buffer);
  // QR, the query's opcode and RD, RA, and the response code.
  view.setUint16(2, 0x8080 | (view.getUint16(2) & 0x7900) | rcode);
  view.setUint16(4, questionEnd > 12 ? 1 : 0);
  view.setUint16(6, records.length);
  view.setUint16(8, 0);
  view.setUint16(10, 0);
  return out;
}

/** Sends QUERY to the first upstream server that answers. */
async function forward(
  query: Uint8Array,
  servers: string[],
  port: number,
): Promise<Uint8Array | undefined> {
  for (const server of servers) {
    const type = isIPv6(server) ? "udp6" : "udp4";
    const sock = dgram.createSocket(type);
    try {
      const answer = await new Promise<Uint8Array | undefined>((resolve) => {
        const timer = setTimeout(
          () => resolve(undefined),
          UPSTREAM_TIMEOUT_MS / servers.length,
        );
        sock.on("message", (msg) => {
          clearTimeout(timer);
          resolve(new Uint8Array(msg));
        });
        sock.on("error", () => {
          clearTimeout(timer);
          resolve(undefined);
        });
        sock.send(query, port, server);
      });
      if (answer) return answer;
    } finally {
      sock.close();
    }
  }
  return undefined;
}

/** Starts the server on 127.0.0.1 (on random UDP and TCP ports unless OPTIONS name them). */
export async function startDNSServer(
  options: DNSServerOptions,
): Promise<DNSServer> {
  const hosts = new Map(
    Object.entries(options.hosts).map((
      [k, v],
    ) => [k.replace(/\.$/, "").toLowerCase(), v]),
  );
  const upstream = options.upstream ?? hostServers();
  const answer = async (query: Uint8Array): Promise<Uint8Array | undefined> => {
    const q = parseQuestion(query);
    if (!q) {
      return query.length >= 12
        ? response(query, 12, RCODE_FORMERR)
        : undefined;
    }
    const records = staticAnswer(hosts, q.name, q.type, options.ipv6);
    if (records) return response(query, q.end, 0, records);
    return await forward(query, upstream, options.upstreamPort ?? 53) ??
      response(query, q.end, RCODE_SERVFAIL);
  };

  const udp = dgram.createSocket("udp4");
  udp.on("message", (msg, peer) => {
    answer(new Uint8Array(msg)).then((reply) => {
      if (reply) udp.send(Buffer.from(reply), peer.port, peer.address);
    }).catch((err) => logger.debug(`DNS: ${errorMessage(err)}`));
  });
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(options.udpPort ?? 0, "127.0.0.1", resolve);
  });

  const tcp = options.tcpPort === 0
    ? undefined
    : Deno.listen({ hostname: "127.0.0.1", port: options.tcpPort ?? 0 });
  const serving = (async () => {
    for await (const conn of tcp ?? []) serveTCP(conn, answer);
  })().catch(() => {});

  const close = async () => {
    // Only once the callback has run is the port free for another server.
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    tcp?.close();
    await serving;
  };
  return {
    udpPort: udp.address().port,
    tcpPort: tcp ? (tcp.addr as Deno.NetAddr).port : 0,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** DNS over TCP: each message is preceded by its length in two bytes. */
async function serveTCP(
  conn: Deno.Conn,
  answer: (query: Uint8Array) => Promise<Uint8Array | undefined>,
): Promise<void> {
  let pending = new Uint8Array(0);
  try {
    for await (const chunk of conn.readable) {
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      pending = joined;
      while (pending.length >= 2) {
        const len = (pending[0] << 8) | pending[1];
        if (pending.length < 2 + len) break;
        const reply = await answer(pending.slice(2, 2 + len));
        pending = pending.slice(2 + len);
        if (!reply) continue;
        const framed = new Uint8Array(reply.length + 2);
        framed.set([reply.length >> 8, reply.length & 0xff]);
        framed.set(reply, 2);
        await conn.write(framed);
      }
    }
  } catch {
    // The client went away.
  } finally {
    closeQuietly(conn);
  }
}
