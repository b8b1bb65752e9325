/**
 * `limactl copy --backend scp`: the host's OpenSSH scp with the instance's options (Lima's
 * `pkg/copytool/scp.go`). With one instance it shares the instance's ControlMaster, so a copy
 * after the first needs no new login to the guest.
 */
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { shellJoin } from "../shell_quote.ts";
import type { Instance } from "../instance/record.ts";
import type { CopyPath } from "./copy_path.ts";
import { detectOpenSSH } from "./options.ts";
import { runningInstance } from "./running_instance.ts";
import { guestLogin, instanceSSHOptions } from "./target.ts";

/** Where scp logs in to an instance. */
export interface ScpHost {
  /** `USER@ADDRESS`. */
  login: string;
  port: number;
}

export interface ScpOptions {
  recursive?: boolean;
  verbose?: boolean;
}

/** Copies PATHS (sources then target) with the scp at SCP; throws when it fails. */
export async function scpCopy(
  scp: string,
  paths: CopyPath[],
  options: ScpOptions,
): Promise<void> {
  const instances: Instance[] = [];
  const hosts = new Map<string, ScpHost>();
  for (const name of new Set(paths.flatMap((p) => p.instance ?? []))) {
    const inst = await runningInstance(name);
    instances.push(inst);
    hosts.set(name, { login: guestLogin(inst), port: inst.sshLocalPort });
  }
  const version = (await detectOpenSSH()).version;
  const args = scpArgs(paths, hosts, options, {
    sshOptions: await copySSHOptions(instances, options.verbose ?? false),
    // scp:// addresses (several instances in one copy) need OpenSSH 8.0.
    legacy: version !== undefined && version[0] < 8,
  });
  logger.debug(`executing ${shellJoin([scp, ...args])} (may take a long time)`);
  const status = await new Deno.Command(scp, { args }).spawn().status;
  if (!status.success) {
    throw new LimaError({ summary: `scp exited with status ${status.code}` });
  }
}

/**
 * The instance's options when the copy involves one instance (its ControlMaster included);
 * with several, only the options they share, as one scp cannot pass per-host options.
 */
async function copySSHOptions(
  instances: Instance[],
  verbose: boolean,
): Promise<string[]> {
  if (!instances[0]) return [];
  // No agent or X11 forwarding for a copy.
  const options = (await instanceSSHOptions(instances[0]))
    .filter((o) => !o.startsWith("Forward"));
  if (instances.length > 1) {
    return options.filter((o) => !/^(User|Control\w+)=/.test(o));
  }
  // A master started under -v keeps its stderr, so limactl's stderr would stay open after
  // the copy: a verbose copy uses an existing master but starts none.
  return verbose
    ? options.map((o) => o === "ControlMaster=auto" ? "ControlMaster=no" : o)
    : options;
}

/**
 * scp's arguments: Lima's (`-F /dev/null`, the options, `-3` so that two guests copy through
 * the host), guest paths as `scp://USER@HOST:PORT/PATH`, or `USER@HOST:PATH` with `-P` before
 * OpenSSH 8.0, which then can involve one instance only.
 */
export function scpArgs(
  paths: CopyPath[],
  hosts: Map<string, ScpHost>,
  options: ScpOptions,
  ssh: { sshOptions: string[]; legacy: boolean },
): string[] {
  const named = new Set(paths.flatMap((p) => p.instance ?? []));
  if (ssh.legacy && named.size > 1) {
    throw new LimaError({
      summary:
        "more than one (instance) host is involved in this command, this is only supported for openSSH v8.0 or higher",
    });
  }
  const args = ["-F", "/dev/null", ...ssh.sshOptions.flatMap((o) => ["-o", o])];
  args.push(options.verbose ? "-v" : "-q");
  if (options.recursive) args.push("-r");
  const operands = paths.map((p) => {
    const host = p.instance === undefined ? undefined : hosts.get(p.instance);
    if (!host) return p.path;
    if (!ssh.legacy) {
      return `scp://${host.login}:${host.port}/${uriPath(p.path)}`;
    }
    args.push("-P", String(host.port));
    return `${host.login}:${p.path}`;
  });
  return [...args, "-3", "--", ...operands];
}

/** scp decodes `%XX` and `+` in an address's path; these two are encoded so a path stays as given. */
function uriPath(path: string): string {
  return path.replaceAll("%", "%25").replaceAll("+", "%2B");
}
