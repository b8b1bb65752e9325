/**
 * Whether and how an instance gets the host resolver (Lima's `pkg/hostagent/hostagent.go`):
 * guests of drivers declaring `usesHostResolver` reach it from the default user-mode network
 * through the boot scripts' DNS redirection; other drivers and user-v2 networks answer names
 * elsewhere.
 */
import type { LimaYAML } from "../config/schema.ts";
import type { DriverRules } from "../config/validate/mod.ts";
import { type DNSServer, startDNSServer } from "./dns_server.ts";
import { SLIRP } from "./slirp.ts";

/**
 * Starts the host resolver for instance NAME, whose driver declares the facts DRIVER, or
 * returns undefined when the instance does not use it (USERV2: NIC 0 is on a user-v2 network,
 * whose gateway answers names).
 */
export async function startHostResolver(
  config: LimaYAML,
  name: string,
  driver: DriverRules,
  userV2 = (config.networks ?? []).some((n) => n.lima === "user-v2"),
): Promise<DNSServer | undefined> {
  const enabled = config.hostResolver?.enabled ?? true;
  if (!enabled || userV2 || !driver.usesHostResolver) return undefined;
  return await startDNSServer({
    hosts: {
      ...config.hostResolver?.hosts,
      "host.lima.internal": SLIRP.gateway,
      [`lima-${name}`]: SLIRP.ipAddress,
    },
    ipv6: config.hostResolver?.ipv6 ?? false,
  });
}
