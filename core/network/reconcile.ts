/**
 * Network reconciliation (Lima's `pkg/networks/reconcile/reconcile.go`), run before an instance
 * starts and after instances stop or are deleted: the networks of networks.yaml that running
 * instances (and the one about to start) join are started, the others stopped.
 */
import { inspectInstance, instanceNames } from "../instance/instance.ts";
import { ifFound } from "../if_found.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { limaHome } from "../store/paths.ts";
import { type NetworkHost, systemHost } from "./network_host.ts";
import {
  loadNetworks,
  type NetworkMode,
  type NetworksConfig,
} from "./networks_yaml.ts";
import { SocketVMNet } from "./socket_vmnet_daemon.ts";
import type { ReadFile } from "./sudo_access.ts";

/** Starts and stops the daemons of one kind of network. */
export interface NetworkManager {
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
}

export type Managers = Partial<Record<NetworkMode, NetworkManager>>;

/** An instance as reconciliation sees it; `networks` undefined when it could not be read. */
export interface InstanceNetworks {
  name: string;
  running: boolean;
  networks?: string[];
}

export interface ReconcileOptions {
  home?: string;
  host?: NetworkHost & { readFile?: ReadFile };
  /** The managers by mode (default: socket_vmnet's, on macOS only). */
  managers?: (config: NetworksConfig) => Managers;
  /** The instances (default: those of LIMA_HOME). */
  instances?: () => Promise<InstanceNetworks[]>;
}

/**
 * The managers of this host: socket_vmnet's on macOS, none elsewhere. user-v2 networks are not
 * managed here; their daemon belongs to the user-mode network code.
 */
function defaultManagers(
  options: ReconcileOptions,
): ((config: NetworksConfig) => Managers) | undefined {
  const host = {
    readFile: (f: string) => ifFound(Deno.readTextFile(f)),
    ...(options.host ?? systemHost()),
  };
  if (host.os !== "darwin") return undefined;
  return (config) => {
    const home = options.home ?? limaHome();
    const socketVMNet = new SocketVMNet({ config, home, host });
    return { shared: socketVMNet, host: socketVMNet, bridged: socketVMNet };
  };
}

async function listInstances(): Promise<InstanceNetworks[]> {
  const found: InstanceNetworks[] = [];
  for (const name of instanceNames()) {
    const inst = await inspectInstance(name);
    found.push({
      name,
      running: inst?.status === "Running",
      networks: inst?.config
        ? (inst.config.networks ?? []).flatMap((n) => n.lima ? [n.lima] : [])
        : undefined,
    });
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
  const managersFor = options.managers ?? defaultManagers(options);
  // Nothing to manage on this host: networks.yaml and the instances need not be read.
  if (!managersFor) return;
  const config = await loadNetworks(options.home);
  const managers = managersFor(config);
  const instances = await (options.instances ?? listInstances)();
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
