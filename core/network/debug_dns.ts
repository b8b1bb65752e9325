/**
 * `limactl debug dns UDPPORT [TCPPORT]` (hidden, Lima's `cmd/limactl/debug.go`): the host
 * resolver alone on 127.0.0.1, on the ports given, with no static names, until killed.
 */
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { type DNSServer, startDNSServer } from "./dns_server.ts";

export interface DebugDNSOptions {
  /** Answer AAAA queries too (`--ipv6`). */
  ipv6?: boolean;
}

/** Serves DNS on the ports PORTS name (`UDPPORT [TCPPORT]`); resolves once the server is up. */
export async function startDebugDNS(
  ports: string[],
  options: DebugDNSOptions = {},
): Promise<DNSServer> {
  const [udp, tcp] = ports;
  const server = await startDNSServer({
    hosts: {},
    ipv6: options.ipv6,
    udpPort: parsePort("UDPPORT", udp),
    tcpPort: tcp === undefined ? 0 : parsePort("TCPPORT", tcp),
  });
  logger.info(
    `Started the DNS server (UDP ${server.udpPort}, TCP ${server.tcpPort})`,
  );
  return server;
}

function parsePort(name: string, value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new LimaError({
      summary: `argument ${name} must be a port number, got ${
        JSON.stringify(value)
      }`,
    });
  }
  return port;
}
