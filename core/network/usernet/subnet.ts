/**
 * The addresses of a user-v2 network (Lima's `pkg/networks/usernet/config.go`): networks.yaml's
 * `gateway` and `netmask` only choose the subnet; the gateway the guests use is the network
 * address + 2 and its DNS server the same address, mirroring QEMU's slirp layout.
 */
import { LimaError } from "../../errors.ts";
import { quote } from "../../quote.ts";

export interface UserV2Subnet {
  /** `192.168.104.0/24`. */
  cidr: string;
  /** The network address, `192.168.104.0`. */
  network: string;
  prefix: number;
  /** Network address + 2: gateway, DNS server and `host.lima.internal`. */
  gateway: string;
}

function toNumber(ip: string): number {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function toAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256)
    .join(".");
}

function prefixOf(netmask: string): number {
  const bits = toNumber(netmask).toString(2).padStart(32, "0");
  return bits.indexOf("0") === -1 ? 32 : bits.indexOf("0");
}

/** The subnet of a user-v2 network from its networks.yaml GATEWAY and NETMASK. */
export function userV2Subnet(
  net: { gateway?: string; netmask?: string },
  name = "user-v2",
): UserV2Subnet {
  if (!net.gateway || !net.netmask) {
    throw new LimaError({
      summary: `network ${
        quote(name)
      } needs both gateway and netmask in networks.yaml`,
    });
  }
  const prefix = prefixOf(net.netmask);
  if (prefix > 30) {
    throw new LimaError({
      summary: `network ${quote(name)} has netmask ${
        quote(net.netmask)
      }, which leaves no room for guests`,
    });
  }
  const size = 2 ** (32 - prefix);
  const network = Math.floor(toNumber(net.gateway) / size) * size;
  return {
    cidr: `${toAddress(network)}/${prefix}`,
    network: toAddress(network),
    prefix,
    gateway: toAddress(network + 2),
  };
}

/** Parses `A.B.C.D/N` (the daemon's `--subnet`) into a subnet. */
export function parseSubnet(cidr: string): UserV2Subnet {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr.trim());
  const prefix = Number(m?.[2]);
  if (
    !m || prefix > 30 ||
    m[1].split(".").some((o) => Number(o) > 255)
  ) {
    throw new LimaError({
      summary: `invalid subnet ${
        quote(cidr)
      }: must be an IPv4 network such as 192.168.5.0/24`,
    });
  }
  const mask = toAddress(prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix));
  return userV2Subnet({ gateway: m[1], netmask: mask });
}

/** Whether IP lies in SUBNET. */
export function inSubnet(ip: string, subnet: UserV2Subnet): boolean {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const size = 2 ** (32 - subnet.prefix);
  return Math.floor(toNumber(ip) / size) * size === toNumber(subnet.network);
}
