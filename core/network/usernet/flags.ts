/**
 * The flags of `limactl usernet` (Lima's `cmd/limactl/usernet.go`) checked and turned into the
 * daemon's options.
 */
import { LimaError } from "../../errors.ts";
import type { UsernetDaemonOptions } from "./daemon.ts";
import { parseLeasesFlag } from "./leases.ts";
import { parseSubnet } from "./subnet.ts";

export interface UsernetFlags {
  pidfile?: string;
  endpoint?: string;
  listenQemu?: string;
  /** `--listen`: Lima's fd-passing socket for vz; accepted and not served on this host. */
  listen?: string;
  subnet?: string;
  mtu?: string;
  leases?: string;
}

/** Lima's default `--subnet`. */
export const DEFAULT_USERNET_SUBNET = "192.168.5.0/24";

function required(value: string | undefined, flag: string): string {
  if (!value) {
    throw new LimaError({ summary: `flag ${flag} must be specified` });
  }
  return value;
}

/** The daemon's options from FLAGS; throws naming the flag that is missing or wrong. */
export function usernetOptions(flags: UsernetFlags): UsernetDaemonOptions {
  const mtu = Number(flags.mtu ?? "1500");
  if (!Number.isInteger(mtu) || mtu < 576 || mtu > 65535) {
    throw new LimaError({
      summary: `flag --mtu must be an integer from 576 to 65535, got ${
        JSON.stringify(flags.mtu)
      }`,
    });
  }
  const subnet = flags.subnet ?? DEFAULT_USERNET_SUBNET;
  parseSubnet(subnet);
  return {
    pidFile: required(flags.pidfile, "--pidfile"),
    endpointSocket: required(flags.endpoint, "--endpoint"),
    qemuSocket: required(flags.listenQemu, "--listen-qemu"),
    subnet,
    mtu,
    leases: parseLeasesFlag(flags.leases ?? ""),
  };
}
