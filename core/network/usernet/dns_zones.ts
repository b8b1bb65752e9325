/**
 * Host names as gvisor-tap-vsock DNS zones (Lima's `pkg/networks/usernet/dnshosts`): the part
 * after the last dot is the zone, the rest the record; a name without a dot becomes a zone
 * answering every name in it. A value that is no address names another host and is followed.
 */
import { isIP } from "node:net";

export interface DNSZone {
  name: string;
  records: { name: string; ip: string }[];
  defaultIP?: string;
}

/** Follows aliases in HOSTS from HOST to an address (undefined for a loop or a dead end). */
function resolveHost(
  hosts: Record<string, string>,
  host: string,
): string | undefined {
  const seen = new Set<string>();
  let value: string | undefined = hosts[host];
  while (value !== undefined && !isIP(value)) {
    if (seen.has(value)) return undefined;
    seen.add(value);
    value = hosts[value];
  }
  return value;
}

/** The zones to add for HOSTS (name → address or name). */
export function dnsZones(hosts: Record<string, string>): DNSZone[] {
  const zones = new Map<string, DNSZone>();
  for (const host of Object.keys(hosts).sort()) {
    const ip = resolveHost(hosts, host);
    if (ip === undefined) continue;
    const dot = host.lastIndexOf(".");
    const name = dot < 0 ? host : `${host.slice(dot + 1)}.`;
    const zone = zones.get(name) ?? { name, records: [] };
    if (dot < 0) zone.defaultIP ??= ip;
    else zone.records.push({ name: host.slice(0, dot), ip });
    zones.set(name, zone);
  }
  return [...zones.values()];
}
