import type { NetworkMode } from "./networks_yaml.ts";

/** Starts and stops the daemons of one kind of network. */
export interface NetworkManager {
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
}

/** The managers of a host, by the network mode they serve. */
export type Managers = Partial<Record<NetworkMode, NetworkManager>>;
