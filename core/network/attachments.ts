/**
 * Which `networks[]` entries of an instance the core resolves for its driver, and how: a
 * `lima:` network of mode user-v2 becomes a socket of its usernet daemon. The first one takes the
 * place of the default user-mode NIC with NIC 0's MAC address, as in Lima's
 * `pkg/driver/qemu/qemu.go` (`FirstUsernetIndex`). A `socket:` entry is its own socket, with its
 * own MAC address, on an extra NIC, and so is a socket_vmnet network of networks.yaml (on
 * macOS, where its daemon runs).
 */
import type { LimaYAML } from "../config/schema.ts";
import { LimaError } from "../errors.ts";
import { nic0MacAddress } from "../config/identity.ts";
import type { NetworkAttachment } from "../../plugins/contract.ts";
import { loadNetworks, type NetworksConfig } from "./networks_yaml.ts";
import { socketPath } from "./socket_vmnet_commands.ts";
import { findGvproxy, gvproxyMissing } from "./usernet/find_gvproxy.ts";
import { usernetPaths } from "./usernet/paths.ts";
import { type UserV2Subnet, userV2Subnet } from "./usernet/subnet.ts";
import { limaHome } from "../store/paths.ts";

/**
 * The user-v2 and `socket:` attachments of CONFIG given networks.yaml NETWORKS (undefined when
 * CONFIG joins no `lima:` network).
 */
export function networkAttachments(
  config: LimaYAML,
  instDir: string,
  networks: NetworksConfig | undefined,
  home: string = limaHome(),
): NetworkAttachment[] {
  const found: NetworkAttachment[] = [];
  (config.networks ?? []).forEach((nw, index) => {
    if (nw.socket) {
      found.push(socketAttachment(index, nw.socket, nw.macAddress));
      return;
    }
    const name = nw.lima;
    const mode = name ? networks?.networks[name]?.mode : undefined;
    if (!name || !networks || !mode) return;
    if (mode !== "user-v2") {
      // A socket_vmnet network: its daemon listens where networks.yaml's varRun says.
      found.push(
        socketAttachment(index, socketPath(networks, name), nw.macAddress),
      );
      return;
    }
    const nic0 = !found.some((a) => a.kind === "user-v2");
    found.push({
      index,
      kind: "user-v2",
      socketPath: usernetPaths(name, home).qemuSocket,
      macAddress: nic0 ? nic0MacAddress(instDir) : nw.macAddress ?? "",
      nic0,
    });
  });
  return found;
}

function socketAttachment(
  index: number,
  socketPath: string,
  macAddress: string | null | undefined,
): NetworkAttachment {
  if (!macAddress) {
    // Filling gives every entry one; a configuration that skipped it is a bug, not user input.
    throw new LimaError({
      summary: "the network has no MAC address",
      path: `networks[${index}].macAddress`,
    });
  }
  return { index, kind: "socket", socketPath, macAddress, nic0: false };
}

/** The first user-v2 network of CONFIG: its name and subnet, or undefined. */
export function firstUserV2Network(
  config: LimaYAML,
  networks: NetworksConfig,
): { index: number; name: string; subnet: UserV2Subnet } | undefined {
  const list = config.networks ?? [];
  const index = list.findIndex((nw) =>
    nw.lima && networks.networks[nw.lima]?.mode === "user-v2"
  );
  if (index < 0) return undefined;
  const name = list[index].lima!;
  return { index, name, subnet: userV2Subnet(networks.networks[name], name) };
}

/** networks.yaml, read only when CONFIG joins a `lima:` network (it is created on first read). */
export async function networksFor(
  config: LimaYAML,
  home: string = limaHome(),
): Promise<NetworksConfig | undefined> {
  if (!(config.networks ?? []).some((nw) => nw.lima)) return undefined;
  return await loadNetworks(home);
}

/**
 * Checks what the user-v2 networks of CONFIG need before anything starts: socket paths that fit
 * and gvproxy. Returns whether CONFIG joins one.
 */
export async function checkUserV2Prerequisites(
  config: LimaYAML,
  home: string = limaHome(),
): Promise<boolean> {
  const networks = await networksFor(config, home);
  if (!networks) return false;
  const names = [
    ...new Set(
      (config.networks ?? []).map((nw) => nw.lima ?? "").filter((n) =>
        networks.networks[n]?.mode === "user-v2"
      ),
    ),
  ];
  for (const name of names) {
    usernetPaths(name, home);
    userV2Subnet(networks.networks[name], name);
    if (!findGvproxy()) throw gvproxyMissing(name);
  }
  return names.length > 0;
}
