/**
 * Whether and how an instance gets the host resolver (Lima's `pkg/hostagent/hostagent.go`): QEMU
 * guests on the default user-mode network reach it through the boot scripts' DNS redirection;
 * drivers with their own gateway DNS and user-v2 networks answer names elsewhere.
 */
import type { LimaYAML } from "../config/schema.ts";
import { type DNSServer, startDNSServer } from "./dns_server.ts";
import { SLIRP } from "./slirp.ts";

/** Starts the host resolver for instance NAME, or returns undefined when CONFIG does not use it. */
export async function startHostResolver(
  config: LimaYAML,
  name: string,
): Promise<DNSServer | undefined> {
  const enabled = config.hostResolver?.enabled ?? true;
  const userV2 = (config.networks ?? []).some((n) => n.lima === "user-v2");
  if (!enabled || userV2 || (config.vmType ?? "qemu") !== "qemu") {
    return undefined;
  }
  return await startDNSServer({
    hosts: {
      ...config.hostResolver?.hosts,
      "host.lima.internal": SLIRP.gateway,
      [`lima-${name}`]: SLIRP.ipAddress,
    },
    ipv6: config.hostResolver?.ipv6 ?? false,
  });
}
