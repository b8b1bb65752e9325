/**
 * The command lines that run socket_vmnet through sudo, exactly as Lima builds them
 * (Lima's `pkg/networks/commands.go`). The sudoers file allows these strings verbatim, and
 * sudo compares them word for word, so a space or a quote more breaks the match: arguments are
 * never quoted, which is why the names and paths are checked for whitespace first
 * (`validateNetworksSecurity`).
 */
import { posix } from "node:path";
import type { NetworksConfig } from "./networks_yaml.ts";

export const SOCKET_VMNET = "socket_vmnet";

/** How Go prints an unset `net.IP` with `%s`: Lima writes this into the command when a field is missing. */
const NIL_IP = "<nil>";

/** Creates `paths.varRun`, where the PID files and sockets live. */
export function mkdirCommand(config: NetworksConfig): string {
  return `/bin/mkdir -m 775 -p ${config.paths.varRun}`;
}

/** The socket the daemon of network NAME listens on. */
export function socketPath(config: NetworksConfig, name: string): string {
  return posix.join(config.paths.varRun, `socket_vmnet.${name}`);
}

/** The PID file the daemon of network NAME writes. */
export function pidFile(config: NetworksConfig, name: string): string {
  return posix.join(config.paths.varRun, `${name}_${SOCKET_VMNET}.pid`);
}

/** Starts the daemon of network NAME (which must be defined in CONFIG). */
export function startCommand(config: NetworksConfig, name: string): string {
  const net = config.networks[name];
  let cmd = `${config.paths.socketVMNet} --pidfile=${
    pidFile(config, name)
  } --socket-group=${config.group} --vmnet-mode=${net.mode}`;
  if (net.mode === "bridged") {
    cmd += ` --vmnet-interface=${net.interface ?? ""}`;
  } else if (net.mode === "host" || net.mode === "shared") {
    cmd += ` --vmnet-gateway=${net.gateway ?? NIL_IP} --vmnet-dhcp-end=${
      net.dhcpEnd ?? NIL_IP
    } --vmnet-mask=${net.netmask ?? NIL_IP}`;
  }
  return `${cmd} ${socketPath(config, name)}`;
}

/** Stops the daemon of network NAME by its PID file. */
export function stopCommand(config: NetworksConfig, name: string): string {
  return `/usr/bin/pkill -F ${pidFile(config, name)}`;
}

/** `LIMA_HOME/_networks/<NAME>_socket_vmnet.<STREAM>.log`. */
export function logFile(
  home: string,
  name: string,
  stream: "stdout" | "stderr",
): string {
  return posix.join(home, "_networks", `${name}_${SOCKET_VMNET}.${stream}.log`);
}
