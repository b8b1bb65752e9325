/**
 * `limactl network create NETWORK [--mode MODE] [--gateway IP/CIDR] [--interface IF]` (Lima's
 * `cmd/limactl/network.go`): adds a network to networks.yaml. A bridged network names a host
 * interface; the others a gateway, whose prefix length (default /24) gives the netmask.
 */
import { isIP } from "node:net";
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import { limaHome } from "../store/paths.ts";
import { editNetworksYAML } from "./edit_networks_yaml.ts";
import { identifierProblem } from "./identifier.ts";
import { loadNetworks, NETWORK_MODES } from "./networks_yaml.ts";

export interface CreateNetworkOptions {
  /** Default `user-v2`, as in Lima. */
  mode?: string;
  gateway?: string;
  interface?: string;
  home?: string;
}

function fail(summary: string): never {
  throw new LimaError({ summary });
}

/** The dotted netmask of an IPv4 prefix length. */
function netmaskOf(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join(".");
}

/** The gateway address and netmask of GATEWAY (`IP` or `IP/PREFIX`), as Go's `net.ParseCIDR` reads it. */
function parseGateway(gateway: string): { ip: string; netmask: string } {
  const cidr = gateway.includes("/") ? gateway : `${gateway}/24`;
  const [ip, prefix, ...rest] = cidr.split("/");
  const n = /^\d{1,2}$/.test(prefix) ? Number(prefix) : NaN;
  if (rest.length > 0 || isIP(ip) !== 4 || !(n >= 0 && n <= 32)) {
    // An IPv6 gateway parses in Lima, but socket_vmnet and networks.yaml take IPv4 only.
    fail(
      `failed to parse CIDR ${quote(cidr)}: invalid CIDR address: ${cidr}`,
    );
  }
  if (ip === "0.0.0.0" || ip.startsWith("127.")) {
    fail(`invalid IP address: ${ip}`);
  }
  // Go prints the address in its canonical form (no leading zeros).
  return { ip: ip.split(".").map(Number).join("."), netmask: netmaskOf(n) };
}

/** The yq expression that adds network NAME. */
export function createNetworkExpression(
  name: string,
  options: Omit<CreateNetworkOptions, "home">,
): string {
  const mode = options.mode ?? "user-v2";
  const gateway = options.gateway ?? "";
  const iface = options.interface ?? "";
  if (!(NETWORK_MODES as readonly string[]).includes(mode)) {
    fail(
      `network mode ${quote(mode)} is not one of ${NETWORK_MODES.join(", ")}`,
    );
  }
  const key = `.networks.${JSON.stringify(name)}`;
  if (mode === "bridged") {
    if (gateway !== "") {
      fail(`network mode ${quote(mode)} does not support specifying gateway`);
    }
    if (iface === "") {
      fail(`network mode ${quote(mode)} requires specifying interface`);
    }
    return `${key} = ${JSON.stringify({ mode, interface: iface })}`;
  }
  if (gateway === "") {
    fail(`network mode ${quote(mode)} requires specifying gateway`);
  }
  if (iface !== "") {
    fail(`network mode ${quote(mode)} does not support specifying interface`);
  }
  const gw = parseGateway(gateway);
  // Lima writes the empty interface too.
  return `${key} = ${
    JSON.stringify({
      mode,
      gateway: gw.ip,
      netmask: gw.netmask,
      interface: "",
    })
  }`;
}

/** Adds network NAME to networks.yaml; an existing name is an error. */
export async function createNetwork(
  name: string,
  options: CreateNetworkOptions = {},
): Promise<void> {
  const home = options.home ?? limaHome();
  const problem = identifierProblem(name);
  if (problem) fail(`invalid network name ${quote(name)}: ${problem}`);
  const { networks } = await loadNetworks(home);
  if (Object.hasOwn(networks, name)) {
    fail(`network ${quote(name)} already exists`);
  }
  await editNetworksYAML(createNetworkExpression(name, options), home);
}
