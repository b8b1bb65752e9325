/**
 * `LIMA_HOME/_config/networks.yaml` (Lima's `pkg/networks/config.go`, `networks.TEMPLATE.yaml`):
 * the named networks instances join with `networks: [{lima: NAME}]`. Created from the built-in
 * default on first use, parsed and checked field by field; `supportProblem` says why a network
 * cannot run on this host.
 */
import { isIPv4 } from "node:net";
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import { writeFileAtomic } from "../store/atomic_write.ts";
import { joinPath, limaHome } from "../store/paths.ts";
import { readRegularText } from "../config/read_file.ts";
import { ifFound } from "../if_found.ts";
import { findSocketVMNet } from "./socket_vmnet_path.ts";
import {
  EXCESSIVE_ALIASING,
  parseBounded,
  resolveAliases,
} from "../yaml_aliases.ts";

export const NETWORK_MODES = ["user-v2", "shared", "host", "bridged"] as const;
export type NetworkMode = typeof NETWORK_MODES[number];

export interface NetworkDef {
  mode: NetworkMode;
  gateway?: string;
  dhcpEnd?: string;
  netmask?: string;
  interface?: string;
}

export interface NetworksConfig {
  paths: { socketVMNet: string; varRun: string; sudoers: string };
  group: string;
  networks: Record<string, NetworkDef>;
}

/**
 * The networks.yaml Lima writes on first use (its `networks.TEMPLATE.yaml`, byte for byte, so
 * that `limactl sudoers` prints what Lima prints), with the socket_vmnet path filled in.
 */
export function defaultNetworksYAML(socketVMNet: string): string {
  return `# Path to socket_vmnet executable. Because socket_vmnet is invoked via sudo it should be
# installed where only root can modify/replace it. This means also none of the
# parent directories can be writable by the user.
#
# The varRun directory also must not be writable by the user because it will
# include the socket_vmnet pid file. Those will be terminated via sudo, so replacing
# the pid file would allow killing of arbitrary privileged processes. varRun
# however MUST be writable by the daemon user.
#
# None of the paths segments may be symlinks, why it has to be /private/var
# instead of /var etc.
paths:
# socketVMNet requires Lima >= 0.12 .
  socketVMNet: "${socketVMNet}"
  varRun: /private/var/run/lima
  sudoers: /private/etc/sudoers.d/lima

# The group that is allowed to run socket_vmnet via sudo and to access the
# socket_vmnet socket (macOS only; ignored on other platforms). Non-admin users
# must set this to a group they belong to (e.g. "staff").
group: admin

networks:
  user-v2:
    mode: user-v2
    gateway: 192.168.104.1
    netmask: 255.255.255.0
  shared:
    mode: shared
    gateway: 192.168.105.1
    dhcpEnd: 192.168.105.254
    netmask: 255.255.255.0
  bridged:
    mode: bridged
    interface: en0
    # bridged mode doesn't have a gateway; dhcp is managed by outside network
  host:
    mode: host
    gateway: 192.168.106.1
    dhcpEnd: 192.168.106.254
    netmask: 255.255.255.0
`;
}

function invalid(file: string, path: string, message: string): never {
  throw new LimaError({
    summary: `invalid ${quote(file)}: field ${quote(path)} ${message}`,
  });
}

function str(
  file: string,
  path: string,
  value: unknown,
): string | undefined {
  if (value == null) return undefined;
  if (typeof value !== "string") invalid(file, path, "must be a string");
  return value;
}

function ipv4(file: string, path: string, value: unknown): string | undefined {
  const s = str(file, path, value);
  if (s !== undefined && !isIPv4(s)) {
    invalid(file, path, `must be an IPv4 address, got ${quote(s)}`);
  }
  return s;
}

/** Whether dotted-quad MASK is leading ones then zeros, the only form a netmask can take. */
function isContiguousMask(mask: string): boolean {
  const bits = mask.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const zeros = 2 ** 32 - 1 - bits;
  return (zeros & (zeros + 1)) === 0;
}

function netmask(
  file: string,
  path: string,
  value: unknown,
): string | undefined {
  const s = ipv4(file, path, value);
  if (s !== undefined && !isContiguousMask(s)) {
    invalid(
      file,
      path,
      `must be a netmask of contiguous leading one bits (such as 255.255.255.0), got ${
        quote(s)
      }`,
    );
  }
  return s;
}

/** Parses and checks networks.yaml TEXT (FILE names it in errors). */
export function parseNetworks(text: string, file: string): NetworksConfig {
  const parsed = parseBounded(text);
  const problem = parsed.errors[0]?.message ??
    (resolveAliases(parsed) ? undefined : EXCESSIVE_ALIASING);
  if (problem !== undefined) {
    throw new LimaError({
      summary: `failed to parse ${quote(file)}`,
      detail: problem,
    });
  }
  // Aliases are bounded above; the `yaml` package's own count would refuse fewer.
  const doc: unknown = parsed.toJS({ maxAliasCount: -1 }) ?? {};
  if (typeof doc !== "object" || Array.isArray(doc) || doc === null) {
    invalid(file, ".", "must be a mapping");
  }
  const d = doc as Record<string, unknown>;
  const known = new Set(["paths", "group", "networks"]);
  for (const key of Object.keys(d)) {
    if (!known.has(key)) invalid(file, key, "is not a known field");
  }
  const paths = (d.paths ?? {}) as Record<string, unknown>;
  const networks: Record<string, NetworkDef> = {};
  const raw = d.networks ?? {};
  if (typeof raw !== "object" || Array.isArray(raw) || raw === null) {
    invalid(file, "networks", "must be a mapping of names to networks");
  }
  for (const [name, value] of Object.entries(raw)) {
    const at = `networks.${name}`;
    if (!/^[a-z0-9][a-z0-9_.-]*$/i.test(name)) {
      invalid(file, at, "has an invalid network name");
    }
    if (typeof value !== "object" || value === null) {
      invalid(file, at, "must be a mapping");
    }
    const v = value as Record<string, unknown>;
    const mode = str(file, `${at}.mode`, v.mode);
    if (!(NETWORK_MODES as readonly string[]).includes(mode ?? "")) {
      invalid(
        file,
        `${at}.mode`,
        `must be one of ${NETWORK_MODES.join(", ")}, got ${quote(mode ?? "")}`,
      );
    }
    const net: NetworkDef = {
      mode: mode as NetworkMode,
      gateway: ipv4(file, `${at}.gateway`, v.gateway),
      dhcpEnd: ipv4(file, `${at}.dhcpEnd`, v.dhcpEnd),
      netmask: netmask(file, `${at}.netmask`, v.netmask),
      interface: str(file, `${at}.interface`, v.interface),
    };
    if (net.mode === "bridged") {
      if (!net.interface) invalid(file, `${at}.interface`, "must be set");
    } else {
      if (!net.gateway) invalid(file, `${at}.gateway`, "must be set");
      if (!net.netmask) invalid(file, `${at}.netmask`, "must be set");
    }
    networks[name] = net;
  }
  if (!Object.values(networks).some((n) => n.mode === "user-v2")) {
    networks["user-v2"] = {
      mode: "user-v2",
      gateway: "192.168.104.1",
      netmask: "255.255.255.0",
    };
  }
  return {
    paths: {
      socketVMNet: str(file, "paths.socketVMNet", paths.socketVMNet) ?? "",
      varRun: str(file, "paths.varRun", paths.varRun) ?? "",
      sudoers: str(file, "paths.sudoers", paths.sudoers) ?? "",
    },
    group: str(file, "group", d.group) ?? "",
    networks,
  };
}

/** `LIMA_HOME/_config/networks.yaml`. */
export function networksFile(home: string = limaHome()): string {
  return joinPath(home, "_config", "networks.yaml");
}

/** Reads networks.yaml, writing the default first when there is none. */
export async function loadNetworks(
  home: string = limaHome(),
): Promise<NetworksConfig> {
  const dir = joinPath(home, "_config");
  const file = networksFile(home);
  let text = await ifFound(readRegularText(file));
  if (text === undefined) {
    await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
    text = defaultNetworksYAML(findSocketVMNet());
    await writeFileAtomic(file, text);
  }
  return parseNetworks(text, file);
}

/** The networks of networks.yaml by name → mode, for validating `networks[].lima`. */
export async function networkModes(
  home: string = limaHome(),
): Promise<Record<string, string>> {
  const { networks } = await loadNetworks(home);
  return Object.fromEntries(
    Object.entries(networks).map(([name, net]) => [name, net.mode]),
  );
}

/** Why network NET cannot run on a host with OS, or undefined when it can. */
export function supportProblem(
  net: NetworkDef,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  // user-v2 runs on gvproxy everywhere; whether it is installed is checked at start.
  if (net.mode === "user-v2") return undefined;
  if (os !== "darwin") {
    return `${net.mode} networks run on socket_vmnet, which only exists on macOS, and this host is ${os}`;
  }
  return undefined;
}

/**
 * Checks the `networks[].lima` references of an instance against networks.yaml and this host;
 * throws a LimaError naming the first network that cannot be used.
 */
export async function checkInstanceNetworks(
  networks: { lima?: string | null }[],
  home: string = limaHome(),
): Promise<void> {
  const named = networks.map((n, i) => [i, n.lima] as const).filter((
    [, name],
  ) => name);
  if (named.length === 0) return;
  const config = await loadNetworks(home);
  for (const [i, name] of named) {
    const net = config.networks[name!];
    if (!net) {
      throw new LimaError({
        summary: `field \`networks[${i}].lima\` references network ${
          quote(name!)
        } which is not defined in networks.yaml`,
      });
    }
    const problem = supportProblem(net);
    if (problem) {
      throw new LimaError({
        summary: `network ${quote(name!)} (networks[${i}].lima, mode ${
          quote(net.mode)
        }) is not supported on this host`,
        detail: problem,
      });
    }
  }
}
