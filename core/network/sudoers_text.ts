/**
 * The content of the sudoers file that lets the group of networks.yaml run socket_vmnet without
 * a password (Lima's `pkg/networks/sudoers.go`). Finch and Rancher Desktop compare it byte for
 * byte with the file they installed, so every space and newline is Lima's.
 */
import type { NetworkHost } from "./network_host.ts";
import type { NetworksConfig } from "./networks_yaml.ts";
import {
  mkdirCommand,
  startCommand,
  stopCommand,
} from "./socket_vmnet_commands.ts";

/** Whether socket_vmnet is installed where networks.yaml says (Lima's `IsDaemonInstalled`). */
export function isSocketVMNetInstalled(
  config: NetworksConfig,
  host: Pick<NetworkHost, "isExecutable">,
): boolean {
  const path = config.paths.socketVMNet;
  return path !== "" && host.isExecutable(path);
}

/**
 * The sudoers text for CONFIG: the rule for creating `paths.varRun`, then a block per
 * socket_vmnet network in name order (user-v2 needs no root), each with its rule when
 * socket_vmnet is installed.
 */
export function sudoersText(
  config: NetworksConfig,
  host: Pick<NetworkHost, "isExecutable" | "account">,
): string {
  const group = config.group;
  let text = `%${group} ALL=(root:wheel) NOPASSWD:NOSETENV: ${
    mkdirCommand(config)
  }\n`;
  const names = Object.keys(config.networks)
    .filter((name) => config.networks[name].mode !== "user-v2")
    .sort();
  const installed = isSocketVMNetInstalled(config, host);
  const root = host.account("root");
  for (const name of names) {
    text += `\n# Manage ${JSON.stringify(name)} network daemons\n`;
    if (!installed) continue;
    text +=
      `\n%${group} ALL=(${root.user}:${root.group}) NOPASSWD:NOSETENV: \\\n`;
    text += `    ${startCommand(config, name)}, \\\n`;
    text += `    ${stopCommand(config, name)}\n`;
  }
  return text;
}
