/** `limactl network list`: the networks of networks.yaml as a table or JSON lines. */
import { LimaError } from "../errors.ts";
import { alignColumns } from "../tabwriter.ts";
import { quote } from "../quote.ts";
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

/** The listing of NAMES (all when empty), as a table or as JSON lines. */
export async function listNetworks(
  names: string[],
  options: { json?: boolean; home?: string } = {},
): Promise<string> {
  const { networks } = await loadNetworks(options.home);
  for (const name of names) {
    if (!networks[name]) {
      throw new LimaError({ summary: `network ${quote(name)} not found` });
    }
  }
  const selected = Object.keys(networks).sort().filter((n) =>
    names.length === 0 || names.includes(n)
  );
  if (options.json) {
    return selected.map((name) => {
      const n = networks[name];
      return JSON.stringify({
        name,
        mode: n.mode,
        interface: n.interface ?? "",
        gateway: n.gateway ?? "",
        dhcpEnd: n.dhcpEnd ?? "",
        netmask: n.netmask ?? "",
      }) + "\n";
    }).join("");
  }
  return alignColumns([
    ["NAME", "MODE", "GATEWAY", "INTERFACE"],
    ...selected.map((name) => {
      const n = networks[name];
      return [name, n.mode, gatewayCIDR(n), n.interface || "-"];
    }),
  ]);
}
