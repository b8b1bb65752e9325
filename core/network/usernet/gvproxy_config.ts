/**
 * gvproxy's `-config` file for a user-v2 network: the stack Lima's embedded gvisor-tap-vsock
 * runs (Lima's `pkg/networks/usernet/gvproxy.go`): gateway at network + 2 with gvisor-tap-vsock's
 * MAC, the gateway address translated to the host's loopback (`host.lima.internal`), the leases
 * kept from the last run, and a `qemu` interface, which is what makes gvproxy speak QEMU's framing
 * (a 4-byte big-endian length before each frame) on `/connect` (gvproxy's `cmd/gvproxy/config.go`).
 */
import { stringify } from "yaml";
import type { Leases } from "./leases.ts";
import { inSubnet, type UserV2Subnet } from "./subnet.ts";

/** gvisor-tap-vsock's gateway MAC address, as Lima sets it. */
export const GATEWAY_MAC = "5a:94:ef:e4:0c:dd";

export interface GvproxyConfigOptions {
  subnet: UserV2Subnet;
  mtu: number;
  /** Leases from the last run; those outside the subnet are dropped. */
  leases: Leases;
  /** A socket nobody connects to: its presence selects the `qemu` protocol. */
  qemuSocket: string;
}

/** The YAML text of gvproxy's `-config`. */
export function gvproxyConfig(o: GvproxyConfigOptions): string {
  const gateway = o.subnet.gateway;
  const leases: Leases = {};
  for (const [ip, mac] of Object.entries(o.leases)) {
    if (inSubnet(ip, o.subnet)) leases[ip] = mac;
  }
  leases[gateway] = GATEWAY_MAC;
  return stringify({
    "log-level": "info",
    stack: {
      mtu: o.mtu,
      subnet: o.subnet.cidr,
      gatewayIP: gateway,
      gatewayMacAddress: GATEWAY_MAC,
      nat: { [gateway]: "127.0.0.1" },
      gatewayVirtualIPs: [gateway],
      dhcpStaticLeases: leases,
    },
    interfaces: { qemu: `unix://${o.qemuSocket}` },
  });
}

export interface GvproxyArgsOptions {
  config: string;
  endpointSocket: string;
  pidFile: string;
}

/** gvproxy's command-line arguments. */
export function gvproxyArgs(o: GvproxyArgsOptions): string[] {
  return [
    "-config",
    o.config,
    "-listen",
    `unix://${o.endpointSocket}`,
    "-pid-file",
    o.pidFile,
  ];
}
