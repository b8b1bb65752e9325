/**
 * The checks Lima makes before it runs socket_vmnet as root (Lima's `pkg/networks/validate.go`,
 * `Config.Validate`): the words that go into sudo's command lines are identifiers, and the
 * socket_vmnet executable and `paths.varRun` can be replaced by root only: owned by root, no
 * symlink on the way, no directory above them writable by another group or by everyone.
 */
import { posix } from "node:path";
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import { identifierProblem } from "./identifier.ts";
import type { FileFacts, NetworkHost } from "./network_host.ts";
import type { NetworksConfig } from "./networks_yaml.ts";

type Host = Pick<NetworkHost, "os" | "lstat" | "account">;

class Missing extends Error {}

function fail(summary: string): never {
  throw new LimaError({ summary });
}

function checkIdentifiers(config: NetworksConfig): void {
  if (config.group !== "") {
    const problem = identifierProblem(config.group);
    if (problem) fail(`invalid group ${quote(config.group)}: ${problem}`);
  }
  for (const name of Object.keys(config.networks).sort()) {
    const net = config.networks[name];
    const problem = identifierProblem(name);
    if (problem) fail(`invalid network name ${quote(name)}: ${problem}`);
    const words: [string, string | undefined][] = [
      ["mode", net.mode],
      ["interface", net.interface],
    ];
    for (const [field, value] of words) {
      const bad = value ? identifierProblem(value) : undefined;
      if (bad) {
        fail(
          `invalid ${field} ${quote(value!)} for network ${
            quote(name)
          }: ${bad}`,
        );
      }
    }
  }
}

/** PATH, or its nearest existing parent: `paths.varRun` is created later, securely. */
function existingBase(host: Host, path: string): string {
  const top = path === "/" || path === ".";
  if (top || host.lstat(path) !== undefined) return path;
  return existingBase(host, posix.dirname(path));
}

function checkOwner(
  host: Host,
  path: string,
  facts: FileFacts,
  daemonGroupWritable: boolean,
): string | undefined {
  const kind = facts.isDirectory ? "dir" : "file";
  const what = `${kind} ${quote(path)}`;
  const root = host.account("root");
  if (facts.uid !== root.uid) {
    return `${what} is not owned by ${
      quote(root.user)
    } (uid: ${root.uid}), but by uid ${facts.uid}`;
  }
  const groupWritable = (facts.mode & 0o20) !== 0;
  if (daemonGroupWritable) {
    const daemon = host.account("daemon");
    if (groupWritable && facts.gid !== root.gid && facts.gid !== daemon.gid) {
      return `${what} is group-writable and group is neither ${
        quote(root.user)
      } (gid: ${root.gid}) nor ${
        quote(daemon.user)
      } (gid: ${daemon.gid}), but is gid: ${facts.gid}`;
    }
    const othersCanEnter = (facts.mode & 0o1) !== 0;
    const daemonCanEnter = (facts.mode & 0o10) !== 0 &&
      facts.gid === daemon.gid;
    if (facts.isDirectory && !othersCanEnter && !daemonCanEnter) {
      // Lima's message has the stray quote too.
      return `${what} is not executable by the ${
        quote(daemon.user)
      } (gid: ${daemon.gid})" group`;
    }
  } else if (groupWritable && facts.gid !== root.gid) {
    return `${what} is group-writable and group is not ${
      quote(root.user)
    } (gid: ${root.gid}), but is gid: ${facts.gid}`;
  }
  if ((facts.mode & 0o2) !== 0) return `${what} is world-writable`;
  return undefined;
}

/** Why PATH and every directory above it are not root's alone; throws Missing when absent. */
function pathProblem(
  host: Host,
  path: string,
  daemonGroupWritable: boolean,
): string | undefined {
  if (path === "") return undefined;
  if (!path.startsWith("/")) {
    return `path ${quote(path)} is not an absolute path`;
  }
  if (path.includes(" ")) return `path ${quote(path)} contains whitespace`;
  const facts = host.lstat(path);
  if (!facts) throw new Missing(path);
  if (facts.isSymlink) {
    return `${facts.isDirectory ? "dir" : "file"} ${quote(path)} is a symlink`;
  }
  if (host.os !== "darwin") {
    return "vmnet code must not be called on non-Darwin";
  }
  const problem = checkOwner(host, path, facts, daemonGroupWritable);
  if (problem || path === "/") return problem;
  return pathProblem(host, posix.dirname(path), daemonGroupWritable);
}

/**
 * Throws Lima's error when CONFIG is not safe to hand to sudo: a bad identifier, an unsafe
 * path, or socket_vmnet not installed. The sudoers file need not exist yet.
 */
export function validateNetworksSecurity(
  config: NetworksConfig,
  host: Host,
): void {
  checkIdentifiers(config);
  let socketVMNetMissing = false;
  const paths: ["socketVMNet" | "varRun" | "sudoers", string][] = [
    ["socketVMNet", config.paths.socketVMNet],
    ["varRun", existingBase(host, config.paths.varRun)],
    ["sudoers", config.paths.sudoers],
  ];
  for (const [name, path] of paths) {
    let problem: string | undefined;
    try {
      problem = pathProblem(host, path, name === "varRun");
    } catch (err) {
      if (!(err instanceof Missing)) throw err;
      if (name === "socketVMNet") socketVMNetMissing = true;
      if (name !== "varRun") continue;
      problem = `lstat ${err.message}: no such file or directory`;
    }
    if (problem) {
      fail(`networks.yaml field \`paths.${name}\` error: ${problem}`);
    }
  }
  if (socketVMNetMissing) {
    fail(
      `networks.yaml: ${
        quote(config.paths.socketVMNet)
      } (\`paths.socketVMNet\`) has to be installed`,
    );
  }
}
