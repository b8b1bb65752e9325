/**
 * The service that started this host agent, which it reports as `autoStartedIdentifier` (Lima's
 * `autostart.AutoStartedIdentifier`) so that `limactl stop` can have that service stop it.
 *
 * - macOS: launchd's job label, which launchd puts in `XPC_SERVICE_NAME` (`0` outside a job), as
 *   Lima's `pkg/autostart/launchd/launchd.go` reads it.
 * - Linux: the innermost systemd service whose control group holds this process (from
 *   `/proc/self/cgroup`), such as `lima-vm@NAME.service` under the user's manager. Lima asks
 *   `sd_pid_get_unit` (`pkg/autostart/systemd/systemd_linux.go`), which names the system unit
 *   (`user@UID.service`) for every user service, so its `stop` never recognises its own unit;
 *   the user unit is what its `RequestStop` compares with.
 */

/** What the answer depends on, given by tests. */
export interface AutoStartedSources {
  os: typeof Deno.build.os;
  env(name: string): string | undefined;
  /** The text of `/proc/self/cgroup`, undefined when it cannot be read. */
  cgroup(): string | undefined;
}

function readCgroup(): string | undefined {
  try {
    return Deno.readTextFileSync("/proc/self/cgroup");
  } catch {
    return undefined;
  }
}

const systemSources: AutoStartedSources = {
  os: Deno.build.os,
  env: (name) => Deno.env.get(name),
  cgroup: readCgroup,
};

/** The innermost `.service` of the systemd hierarchy's path in CGROUP (v2's `0::`, or v1's). */
export function serviceOfCgroup(cgroup: string): string {
  const line = cgroup.split("\n").find((l) => l.startsWith("0::")) ??
    cgroup.split("\n").find((l) => l.includes(":name=systemd:"));
  const path = line?.slice(line.indexOf(":", line.indexOf(":") + 1) + 1) ?? "";
  return path.split("/").findLast((part) => part.endsWith(".service")) ?? "";
}

/** This process's service, or "" when no service manager started it. */
export function autoStartedIdentifier(
  sources: AutoStartedSources = systemSources,
): string {
  if (sources.os === "darwin") {
    const label = sources.env("XPC_SERVICE_NAME") ?? "";
    return label === "0" ? "" : label;
  }
  if (sources.os === "linux") return serviceOfCgroup(sources.cgroup() ?? "");
  return "";
}
