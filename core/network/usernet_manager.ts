/** user-v2 networks as reconciliation manages them: one `limactl usernet` daemon each. */
import { LimaError } from "../errors.ts";
import type { NetworksConfig } from "./networks_yaml.ts";
import type { NetworkManager } from "./network_manager.ts";
import {
  ensureUsernetDaemon,
  stopUsernetDaemon,
} from "./usernet/start_daemon.ts";
import { userV2Subnet } from "./usernet/subnet.ts";

export function usernetManager(
  o: { config: NetworksConfig; home: string; self?: string[] },
): NetworkManager {
  return {
    start(name) {
      if (!o.self) {
        throw new LimaError({
          summary: `cannot start the user-v2 network ${name} from here`,
          detail: "the command that runs limactl was not given",
        });
      }
      return ensureUsernetDaemon({
        name,
        subnet: userV2Subnet(o.config.networks[name], name).cidr,
        self: o.self,
        home: o.home,
      });
    },
    stop: (name) => stopUsernetDaemon(name, o.home),
  };
}
