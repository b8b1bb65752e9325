/**
 * The host agent's part in a user-v2 NIC 0 (Lima's `ConfigureDriver` in
 * `pkg/networks/usernet/client.go`): wait for the guest's DHCP lease, have the network daemon
 * forward the SSH port to it, and publish the guest's and the host's names in the network's DNS.
 */
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { UsernetClient } from "../network/usernet/client.ts";
import { dnsZones } from "../network/usernet/dns_zones.ts";
import { sleep } from "../sleep.ts";

export interface UserV2Setup {
  endpointSocket: string;
  /** NIC 0's MAC address, whose lease names the guest's address. */
  macAddress: string;
  sshLocalPort: number;
  /** The network's gateway: `host.lima.internal`. */
  gateway: string;
  /** The guest's host name (`lima-NAME`); `<hostname>.internal` names the guest. */
  hostname: string;
  /** `hostResolver.hosts`. */
  hosts: Record<string, string>;
  signal?: AbortSignal;
  /** How long to wait for the lease (ms); default `LIMA_USERNET_RESOLVE_IP_ADDRESS_TIMEOUT` minutes, else 2. */
  timeoutMs?: number;
}

/** Lima's `LIMA_USERNET_RESOLVE_IP_ADDRESS_TIMEOUT` (whole minutes), default 2 minutes. */
export function leaseTimeoutMs(
  value: string | undefined = Deno.env.get(
    "LIMA_USERNET_RESOLVE_IP_ADDRESS_TIMEOUT",
  ),
): number {
  const minutes = value && /^\d+$/.test(value.trim()) ? Number(value) : 2;
  return minutes * 60_000;
}

/** The address leased to MAC, polled every 500 ms. */
export async function resolveGuestAddress(
  client: UsernetClient,
  mac: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const leases = await client.leases();
    const ip = Object.keys(leases).find((k) =>
      leases[k].toLowerCase() === mac.toLowerCase()
    );
    if (ip) return ip;
    if (Date.now() > deadline) {
      throw new LimaError({
        summary: "usernet unable to resolve IP for SSH forwarding",
        detail: `no DHCP lease for ${mac} within ${timeoutMs / 1000} s`,
        hint:
          "see the guest's serial log; LIMA_USERNET_RESOLVE_IP_ADDRESS_TIMEOUT sets the wait in minutes",
      });
    }
    await sleep(500);
  }
}

/** Forwards the SSH port to the guest and adds its DNS names; returns the guest's address. */
export async function configureUserV2(o: UserV2Setup): Promise<string> {
  using client = new UsernetClient(o.endpointSocket);
  const ip = await resolveGuestAddress(
    client,
    o.macAddress,
    o.timeoutMs ?? leaseTimeoutMs(),
    o.signal,
  );
  logger.info(`The guest has the address ${ip} on the user-v2 network`);
  const local = `127.0.0.1:${o.sshLocalPort}`;
  // A host agent that was killed left its forward behind; gvproxy refuses a second one.
  await client.unexpose(local).catch(() => {});
  await client.expose(local, `${ip}:22`);
  const hosts = {
    ...o.hosts,
    [`${o.hostname}.internal`]: ip,
    "host.lima.internal": o.gateway,
  };
  for (const zone of dnsZones(hosts)) await client.addDNS(zone);
  return ip;
}

/** Stops forwarding the SSH port (Lima's `UnExposeSSH`). */
export async function unexposeSSH(
  endpointSocket: string,
  sshLocalPort: number,
): Promise<void> {
  using client = new UsernetClient(endpointSocket);
  await client.unexpose(`127.0.0.1:${sshLocalPort}`);
}
