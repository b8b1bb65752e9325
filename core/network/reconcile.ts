/**
 * Keeping the managed network daemons in step with the instances (Lima's
 * `pkg/networks/reconcile/reconcile.go`): the user-v2 networks of running instances, and of the
 * one about to start, run; the others are stopped.
 */
import { errorMessage } from "../errors.ts";
import { inspectInstance, instanceNames } from "../instance/instance.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { limaHome } from "../store/paths.ts";
import { loadNetworks, type NetworksConfig } from "./networks_yaml.ts";
import {
  ensureUsernetDaemon,
  stopUsernetDaemon,
} from "./usernet/start_daemon.ts";
import { userV2Subnet } from "./usernet/subnet.ts";

export interface InstanceNetworkUse {
  name: string;
  running: boolean;
  networks: { lima?: string | null }[];
}

export interface NetworkPlan {
  start: string[];
  stop: string[];
}

/**
 * Which user-v2 networks of CONFIG to start and stop for INSTANCES, STARTING being about to
 * start. An instance that could not be read (SKIPPED) may use any network, so none is stopped.
 */
export function planUserV2Networks(
  instances: InstanceNetworkUse[],
  config: NetworksConfig,
  o: { starting?: string; skipped?: boolean } = {},
): NetworkPlan {
  const active = new Set<string>();
  for (const inst of instances) {
    if (!inst.running && inst.name !== o.starting) continue;
    for (const nw of inst.networks) {
      if (nw.lima && config.networks[nw.lima]?.mode === "user-v2") {
        active.add(nw.lima);
      }
    }
  }
  const userV2 = Object.keys(config.networks).filter((n) =>
    config.networks[n].mode === "user-v2"
  ).sort();
  return {
    start: userV2.filter((n) => active.has(n)),
    stop: o.skipped ? [] : userV2.filter((n) => !active.has(n)),
  };
}

async function instanceUses(): Promise<
  { uses: InstanceNetworkUse[]; skipped: boolean }
> {
  const uses: InstanceNetworkUse[] = [];
  let skipped = false;
  for (const name of instanceNames()) {
    try {
      const inst = await inspectInstance(name);
      if (!inst) continue;
      uses.push({
        name,
        running: inst.status === "Running" || inst.hostAgentPID > 0,
        networks: (inst.config?.networks ?? []) as InstanceNetworkUse[
          "networks"
        ],
      });
    } catch (err) {
      logger.warn(
        `Skipping instance ${quote(name)} during network reconcile: ${
          errorMessage(err)
        }`,
      );
      skipped = true;
    }
  }
  return { uses, skipped };
}

export interface ReconcileOptions {
  /** The instance about to start: its networks must run. */
  starting?: string;
  /** The command line that runs `limactl`, to start daemons with. */
  self: string[];
  home?: string;
}

/** Starts the user-v2 daemons in use and stops the others. */
export async function reconcileNetworks(o: ReconcileOptions): Promise<void> {
  const home = o.home ?? limaHome();
  const { uses, skipped } = await instanceUses();
  if (!uses.some((u) => u.networks.some((n) => n.lima))) {
    // Nothing joins a named network; no networks.yaml is created just to find that out.
    const config = await loadNetworksIfPresent(home);
    if (!config) return;
    return await apply(
      planUserV2Networks(uses, config, { skipped }),
      config,
      o,
    );
  }
  const config = await loadNetworks(home);
  const plan = planUserV2Networks(uses, config, {
    starting: o.starting,
    skipped,
  });
  await apply(plan, config, o);
}

async function loadNetworksIfPresent(
  home: string,
): Promise<NetworksConfig | undefined> {
  try {
    await Deno.lstat(`${home}/_config/networks.yaml`);
  } catch {
    return undefined;
  }
  return await loadNetworks(home);
}

async function apply(
  plan: NetworkPlan,
  config: NetworksConfig,
  o: ReconcileOptions,
): Promise<void> {
  const home = o.home ?? limaHome();
  for (const name of plan.stop) await stopUsernetDaemon(name, home);
  for (const name of plan.start) {
    await ensureUsernetDaemon({
      name,
      subnet: userV2Subnet(config.networks[name], name).cidr,
      self: o.self,
      home,
    });
  }
}
