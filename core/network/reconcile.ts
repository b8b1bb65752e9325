/**
 * Network reconciliation (Lima's `pkg/networks/reconcile/reconcile.go`), run before an instance
 * starts and after instances stop or are deleted: the networks of networks.yaml that running
 * instances (and the one about to start) join are started, the others stopped. user-v2 networks
 * are managed on every host, socket_vmnet ones on macOS.
 */
import { join } from "node:path";
import { errorMessage } from "../errors.ts";
import { exists } from "../exists.ts";
import { inspectInstance, instanceNames } from "../instance/instance.ts";
import { ifFound } from "../if_found.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { limaHome } from "../store/paths.ts";
import { type NetworkHost, systemHost } from "./network_host.ts";
import { loadNetworks, type NetworksConfig } from "./networks_yaml.ts";
import { SocketVMNet } from "./socket_vmnet_daemon.ts";
import type { ReadFile } from "./sudo_access.ts";
import type { Managers } from "./network_manager.ts";
import { usernetManager } from "./usernet_manager.ts";

/** An instance as reconciliation sees it; `networks` undefined when it could not be read. */
export interface InstanceNetworks {
  name: string;
  running: boolean;
  networks?: string[];
}

export interface ReconcileOptions {
  home?: string;
  /** The command line that runs `limactl`, to start user-v2 daemons with. */
  self?: string[];
  host?: NetworkHost & { readFile?: ReadFile };
  /** The managers by mode (default: socket_vmnet's, on macOS only). */
  managers?: (config: NetworksConfig) => Managers;
  /** The instances (default: those of LIMA_HOME). */
  instances?: () => Promise<InstanceNetworks[]>;
}

/** The managers of this host: user-v2's everywhere, socket_vmnet's on macOS. */
function defaultManagers(
  options: ReconcileOptions,
): (config: NetworksConfig) => Managers {
  const host = {
    readFile: (f: string) => ifFound(Deno.readTextFile(f)),
    ...(options.host ?? systemHost()),
  };
  const home = options.home ?? limaHome();
  return (config) => {
    const managers: Managers = {
      "user-v2": usernetManager({ config, home, self: options.self }),
    };
    if (host.os !== "darwin") return managers;
    const socketVMNet = new SocketVMNet({ config, home, host });
    return {
      ...managers,
      shared: socketVMNet,
      host: socketVMNet,
      bridged: socketVMNet,
    };
  };
}

/** The instances of LIMA_HOME; one that cannot be read has `networks` undefined. */
async function listInstances(): Promise<InstanceNetworks[]> {
  const found: InstanceNetworks[] = [];
  for (const name of instanceNames()) {
    try {
      const inst = await inspectInstance(name);
      found.push({
        name,
        // A host agent still booting counts: its networks must stay up.
        running: inst?.status === "Running" || (inst?.hostAgentPID ?? 0) > 0,
        networks: inst?.config
          ? (inst.config.networks ?? []).flatMap((n) => n.lima ? [n.lima] : [])
          : undefined,
      });
    } catch (err) {
      logger.debug(`Cannot inspect ${quote(name)}: ${errorMessage(err)}`);
      found.push({ name, running: false });
    }
  }
  return found;
}

/** The networks to keep running; SKIPPED when an instance could not be read. */
function activeNetworks(
  config: NetworksConfig,
  instances: InstanceNetworks[],
  newInst: string | undefined,
): { active: Set<string>; skipped: boolean } {
  const active = new Set<string>();
  let skipped = false;
  for (const inst of instances) {
    if (!inst.networks) {
      logger.warn(
        `Skipping instance ${quote(inst.name)} during network reconcile`,
      );
      skipped = true;
      continue;
    }
    if (!inst.running && inst.name !== newInst) continue;
    for (const name of inst.networks) {
      if (!Object.hasOwn(config.networks, name)) {
        logger.error(
          `network ${quote(name)} (used by instance ${
            quote(inst.name)
          }) is missing from networks.yaml`,
        );
        continue;
      }
      active.add(name);
    }
  }
  return { active, skipped };
}

/**
 * Starts the networks that running instances and NEW_INST (about to start) use, and stops the
 * others; while an instance cannot be read nothing is stopped, as it may use them.
 */
export async function reconcileNetworks(
  newInst?: string,
  options: ReconcileOptions = {},
): Promise<void> {
  const home = options.home ?? limaHome();
  const instances = await (options.instances ?? listInstances)();
  // Nothing joins a network and none was ever configured: networks.yaml is not created for that.
  if (
    !instances.some((i) => i.networks?.length) &&
    !(await exists(join(home, "_config", "networks.yaml")))
  ) return;
  const config = await loadNetworks(home);
  const managers = (options.managers ?? defaultManagers(options))(config);
  const { active, skipped } = activeNetworks(config, instances, newInst);
  for (const [name, net] of Object.entries(config.networks)) {
    const manager = managers[net.mode];
    if (!manager) continue;
    if (active.has(name)) {
      await manager.start(name);
    } else if (skipped) {
      logger.debug(
        `Not stopping network ${
          quote(name)
        }: an instance could not be inspected`,
      );
    } else {
      await manager.stop(name);
    }
  }
}
