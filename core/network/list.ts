/** `limactl network list` (Lima's `cmd/limactl/network.go`): the networks of networks.yaml as a table or JSON lines. */
import { logger } from "../log.ts";
import { alignColumns } from "../tabwriter.ts";
import { loadNetworks, type NetworkDef } from "./networks_yaml.ts";

function prefixLength(netmask: string): number {
  return netmask.split(".").reduce(
    (n, part) => n + Number(part).toString(2).replaceAll("0", "").length,
    0,
  );
}

/** The gateway as CIDR (`192.168.105.1/24`), or `-` for networks without one. */
export function gatewayCIDR(net: NetworkDef): string {
  if (!net.gateway) return "-";
  return `${net.gateway}/${prefixLength(net.netmask ?? "255.255.255.0")}`;
}

/** Lima's JSON line of a network: unset fields are left out. */
function jsonLine(name: string, n: NetworkDef): string {
  return JSON.stringify({
    name,
    mode: n.mode,
    interface: n.interface || undefined,
    gateway: n.gateway || undefined,
    dhcpEnd: n.dhcpEnd || undefined,
    netmask: n.netmask || undefined,
  }) + "\n";
}

/**
 * The listing of NAMES in their order (all, sorted, when empty), as a table or as JSON lines;
 * a name that matches no network is a warning, as in Lima.
 */
export async function listNetworks(
  names: string[],
  options: { json?: boolean; home?: string } = {},
): Promise<string> {
  const { networks } = await loadNetworks(options.home);
  const selected = names.length === 0 ? Object.keys(networks).sort() : [];
  for (const name of names) {
    if (Object.hasOwn(networks, name)) selected.push(name);
    else logger.warn(`No network matching ${name} found.`);
  }
  if (options.json) {
    return selected.map((name) => jsonLine(name, networks[name])).join("");
  }
  return alignColumns([
    ["NAME", "MODE", "GATEWAY", "INTERFACE"],
    ...selected.map((name) => {
      const n = networks[name];
      return [name, n.mode, gatewayCIDR(n), n.interface || "-"];
    }),
  ]);
}
