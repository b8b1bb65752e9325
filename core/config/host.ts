/**
 * Facts about the host that builtin defaults are derived from (Lima's `pkg/limayaml/defaults.go`).
 */
import type { Arch } from "./schema.ts";

export interface HostUser {
  name: string;
  /** Numeric UID; 1000 where the platform has none. */
  uid: number;
  /** The full name from the account database (GECOS), or "". */
  comment: string;
  home: string;
}

export interface HostInfo {
  /** Lima's name for the host architecture. */
  arch: string;
  os: typeof Deno.build.os;
  cpus: number;
  /** Total memory in bytes. */
  memory: number;
  user: HostUser;
  /** IANA zone name, "" when it cannot be determined. */
  timezone: string;
}

const FROM_GO: Record<string, Arch> = {
  amd64: "x86_64",
  arm64: "aarch64",
  arm: "armv7l",
  ppc64le: "ppc64le",
  riscv64: "riscv64",
  s390x: "s390x",
};

/** Lima's arch name for a Go/Debian/Node arch name (`amd64` → `x86_64`); other names pass through. */
export function limaArch(name: string): string {
  if (name === "x64") return "x86_64";
  return FROM_GO[name] ?? name;
}

/** Go's GOARCH name for a Lima arch (`x86_64` → `amd64`), as shown in `{{.HostArch}}`. */
export function goArch(arch: string): string {
  return Object.entries(FROM_GO).find(([, lima]) => lima === arch)?.[0] ?? arch;
}

/** The host architecture in Lima's spelling. */
export function hostArch(): string {
  return limaArch(Deno.build.arch);
}

/**
 * The `/etc/passwd` entry of UID (its fields), as the account lookup would find it; undefined
 * when the account is not there (directory services) or the file cannot be read.
 */
function passwdEntry(uid: number): string[] | undefined {
  try {
    for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
      const fields = line.split(":");
      if (fields[2] === String(uid)) {
        return fields.length >= 7 ? fields : undefined;
      }
    }
  } catch {
    // No account database (or not readable): ask the platform instead.
  }
  return undefined;
}

const uid = Deno.uid();
const ownEntry = uid === null ? undefined : passwdEntry(uid);
// Other accounts (and Windows) are looked up through node:os, imported only then: the first
// node: import costs more than `limactl list`, which reads the host facts on every run.
const os = ownEntry ? undefined : await import("node:os");

let cached: HostInfo | undefined;

/** Host facts, read once per process. */
export function hostInfo(): HostInfo {
  cached ??= {
    arch: hostArch(),
    os: Deno.build.os,
    cpus: Math.max(1, navigator.hardwareConcurrency),
    memory: Deno.systemMemoryInfo().total,
    user: hostUser(),
    timezone: hostTimezone(),
  };
  return cached;
}

function hostUser(): HostUser {
  if (ownEntry) {
    return {
      name: ownEntry[0],
      uid: Number(ownEntry[2]),
      comment: ownEntry[4].split(",")[0],
      // Like a shell (and Lima), `~` means $HOME when it is set.
      home: Deno.env.get("HOME") || ownEntry[5],
    };
  }
  const info = os!.userInfo();
  return {
    name: info.username,
    uid: info.uid >= 0 ? info.uid : 1000,
    comment: gecosName(info.uid),
    home: info.homedir,
  };
}

/** The first comma-separated part of the GECOS field of UID in /etc/passwd. */
function gecosName(uid: number): string {
  try {
    for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
      const fields = line.split(":");
      if (fields.length >= 5 && fields[2] === String(uid)) {
        return fields[4].split(",")[0];
      }
    }
  } catch {
    // No account database (or not readable): the comment simply stays empty.
  }
  return "";
}

/** `/etc/timezone`, else the zoneinfo name the `/etc/localtime` symlink points at, else "". */
export function hostTimezone(
  files: { timezone: string; localtime: string } = {
    timezone: "/etc/timezone",
    localtime: "/etc/localtime",
  },
): string {
  try {
    const zone = Deno.readTextFileSync(files.timezone).trim();
    if (zone) return zone;
  } catch {
    // Fall through to the symlink.
  }
  try {
    const target = Deno.readLinkSync(files.localtime);
    const at = target.indexOf("zoneinfo/");
    if (at >= 0) return target.slice(at + "zoneinfo/".length);
  } catch {
    // Not a symlink or missing: no zone.
  }
  return "";
}

let cachedMachineID: string | undefined;

/** The host's machine ID (seed of generated MAC addresses), else its host name. */
export function machineID(): string {
  if (cachedMachineID === undefined) {
    cachedMachineID =
      (Deno.build.os === "darwin" ? platformUUID() : undefined) ??
        Deno.hostname();
    for (
      const file of Deno.build.os === "darwin"
        ? []
        : ["/etc/machine-id", "/var/lib/dbus/machine-id"]
    ) {
      try {
        cachedMachineID = Deno.readTextFileSync(file).trim();
        break;
      } catch {
        // Try the next candidate.
      }
    }
  }
  return cachedMachineID;
}

/** macOS: the IOPlatformUUID of the machine. */
function platformUUID(): string | undefined {
  try {
    const { stdout } = new Deno.Command("/usr/sbin/ioreg", {
      args: ["-rd1", "-c", "IOPlatformExpertDevice"],
    })
      .outputSync();
    return /"IOPlatformUUID" = "([^"]+)"/.exec(new TextDecoder().decode(stdout))
      ?.[1];
  } catch {
    return undefined;
  }
}
