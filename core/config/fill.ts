/**
 * Builtin defaults and the three-way merge builtin < `_config/default.yaml` < lima.yaml <
 * `_config/override.yaml`, with host/guest template rendering, port-forward defaults and plain
 * mode, as Lima's `FillDefault` in `pkg/limayaml/defaults.go`. Driver-specific defaults
 * (mount type, VNC display, CPU type, ssh over vsock) are left to the drivers.
 */
import { isAbsolute, join, posix } from "node:path";
import { tmpdir } from "node:os";
import { renderGoTemplate } from "../text_template/mod.ts";
import { errorMessage } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { limaHome } from "../store/paths.ts";
import { type HostInfo, hostInfo } from "./host.ts";
import { macAddress } from "./identity.ts";
import type {
  CopyToHost,
  Disk,
  File,
  LimaYAML,
  Mount,
  Network,
  PortForward,
  Probe,
  Provision,
  User,
  VMOpts,
} from "./schema.ts";
import { compareVersions } from "./semver.ts";
import { formatSize } from "./units.ts";

export interface FillOptions {
  /** The instance directory (`{{.Dir}}`; relative `hostSocket`s live under `INSTDIR/sock`). */
  instDir: string;
  /** The instance name (`{{.Name}}`). */
  name: string;
  /** `_config/default.yaml`, parsed. */
  defaults?: LimaYAML;
  /** `_config/override.yaml`, parsed. */
  overrides?: LimaYAML;
  /**
   * The Lima version that created the instance (`INSTDIR/lima-version`): omitted for a new
   * instance, "" for an instance older than that file. Old instances keep old defaults.
   */
  existingLimaVersion?: string;
  /** Receives warnings (template errors, deprecated fields); defaults to the logger. */
  warn?: (msg: string) => void;
  /** Host facts; read from the running system when omitted. */
  host?: HostInfo;
  /** Seed of generated MAC addresses; the host's machine ID when omitted. */
  machineID?: string;
  /** The `vmType` of a configuration that sets none (the drivers supply Lima's choice). */
  defaultVMType: DefaultVMType;
}

/** The `vmType` for a guest of ARCH on HOST when no configuration layer sets one. */
export type DefaultVMType = (
  arch: string,
  host: Pick<HostInfo, "os" | "arch">,
) => string;

/** nerdctl-full archives used when `containerd.archives` is empty everywhere. */
export const DEFAULT_CONTAINERD_ARCHIVES: readonly File[] = Object.freeze([
  {
    location:
      "https://github.com/containerd/nerdctl/releases/download/v2.3.5/nerdctl-full-2.3.5-linux-amd64.tar.gz",
    arch: "x86_64",
    digest:
      "sha256:b697295c623639734aaab737523c808fd3cc8d3046039fd94fff1744e4c317aa",
  },
  {
    location:
      "https://github.com/containerd/nerdctl/releases/download/v2.3.5/nerdctl-full-2.3.5-linux-arm64.tar.gz",
    arch: "aarch64",
    digest:
      "sha256:6e4b687f1d138e750a3c8372abc0f81d3d7490b6359c48c0562fc7dfe98859b2",
  },
]);

export const DEFAULT_DISK_SIZE = "100GiB";
export const DEFAULT_GUEST_INSTALL_PREFIX = "/usr/local";
export const DEFAULT_9P_MSIZE = "128KiB";
const VALID_USERNAME = /^[a-z_][a-z0-9_-]*$/;
const FALLBACK_USER = "lima";
/** The guest uid of the fallback user when the host user is root. */
const FALLBACK_UID = 1000;

/** The guest host name of an instance: `lima-` + name with `.` and `_` replaced by `-`. */
export function guestHostname(name: string): string {
  return "lima-" + name.replace(/[._]/g, "-");
}

/** Lima's `os` resolution: unset, "" and "default" mean Linux. */
export function resolveOS(os: string | null | undefined): string {
  return !os || os === "default" ? "Linux" : os;
}

/** Lima's `arch` resolution: unset, "" and "default" mean the host architecture. */
export function resolveArch(
  arch: string | null | undefined,
  host: HostInfo = hostInfo(),
): string {
  return !arch || arch === "default" ? host.arch : arch;
}

/** Go's `filepath.Clean` for POSIX paths. */
function cleanPath(path: string): string {
  if (path === "") return ".";
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith("/")
    ? normal.slice(0, -1)
    : normal;
}

/** Whether VERSION (of the creating Lima) is older than AT; "" is older than any release. */
function createdBefore(version: string | undefined, at: string): boolean {
  if (version === undefined) return false;
  if (version === "") return true;
  return compareVersions(version, at) === -1;
}

/** Fills every field of Y from the defaults/overrides and builtin defaults; Y is not modified. */
export function fillDefaults(input: LimaYAML, options: FillOptions): LimaYAML {
  const y: LimaYAML = structuredClone(input);
  const d: LimaYAML = structuredClone(options.defaults ?? {});
  const o: LimaYAML = structuredClone(options.overrides ?? {});
  const host = options.host ?? hostInfo();
  const warn = options.warn ?? ((msg: string) => logger.warn(msg));
  const { instDir, name } = options;

  /** Scalar rule: y, else d; o wins when set. */
  function pick<T>(get: (x: LimaYAML) => T | null | undefined): T | undefined {
    const ov = get(o);
    if (ov !== null && ov !== undefined) return ov;
    return get(y) ?? get(d) ?? undefined;
  }
  /** List rule: o, then y, then d. */
  function concat<T>(get: (x: LimaYAML) => T[] | null | undefined): T[] {
    return [...(get(o) ?? []), ...(get(y) ?? []), ...(get(d) ?? [])];
  }
  /** Map rule: d, overlaid by y, overlaid by o. */
  function overlay<T>(
    get: (x: LimaYAML) => Record<string, T> | null | undefined,
  ): Record<string, T> {
    return { ...get(d), ...get(y), ...get(o) };
  }

  const out: LimaYAML = {};
  if (y.base !== undefined) out.base = y.base;
  out.minimumLimaVersion = pick((x) => x.minimumLimaVersion);
  out.os = resolveOS(pick((x) => x.os));
  out.param = overlay((x) => x.param);
  const param = new Map(Object.entries(out.param));

  out.user = fillUser();
  const guestData = () => {
    const user = out.user!;
    return new Map<string, unknown>([
      ["Name", name],
      ["Hostname", guestHostname(name)],
      ["UID", user.uid],
      ["User", user.name],
      ["Home", user.home],
      ["Param", param],
    ]);
  };
  const hostData = new Map<string, unknown>([
    ["Dir", instDir],
    ["Name", name],
    ["UID", String(host.user.uid)],
    ["User", host.user.name],
    ["Home", host.user.home],
    ["Param", param],
    ["GlobalTempDir", Deno.build.os === "windows" ? tmpdir() : "/tmp"],
    ["TempDir", tmpdir()],
    ["Instance", name],
    ["LimaHome", limaHome()],
  ]);
  /** Renders a template; on error warns and keeps the text, as Lima's `defaults.go` does. */
  const render = (
    text: string,
    data: Map<string, unknown>,
    what: string,
  ): string => {
    try {
      return renderGoTemplate(text, data);
    } catch (err) {
      warn(
        `Couldn't process ${what} ${quote(text)} as a template: ${
          errorMessage(err)
        }`,
      );
      return text;
    }
  };
  out.user.home = render(out.user.home!, guestData(), "`user.home` value");

  out.arch = resolveArch(pick((x) => x.arch), host);
  out.vmType = pick((x) => x.vmType) ||
    options.defaultVMType(out.arch, host);
  out.vmOpts = fillVMOpts();
  out.osOpts = overlay((x) => x.osOpts);

  out.images = concat((x) => x.images).map((image) => {
    const arch = image.arch || out.arch;
    return {
      ...image,
      arch,
      ...(image.kernel
        ? { kernel: { ...image.kernel, arch: image.kernel.arch || arch } }
        : {}),
      ...(image.initrd
        ? { initrd: { ...image.initrd, arch: image.initrd.arch || arch } }
        : {}),
    };
  });

  out.cpus = pick((x) => x.cpus) || Math.min(4, host.cpus);
  out.memory = pick((x) => x.memory) ||
    formatSize(Math.min(4 * 1024 ** 3, Math.floor(host.memory / 2)));
  out.disk = pick((x) => x.disk) || DEFAULT_DISK_SIZE;
  out.additionalDisks = concat((x) => x.additionalDisks).map((entry): Disk => {
    const disk = typeof entry === "string" ? { name: entry } : entry;
    return {
      ...disk,
      format: disk.format ?? true,
      fsType: disk.fsType ?? "ext4",
      fsArgs: disk.fsArgs ?? [],
    };
  });

  out.audio = {
    device: pick((x) => x.audio?.device) ?? "",
    interface: pick((x) => x.audio?.interface) ?? "",
  };
  out.video = {
    display: pick((x) => x.video?.display) || "none",
    vnc: { display: pick((x) => x.video?.vnc?.display) },
  };
  out.firmware = {
    legacyBIOS: pick((x) => x.firmware?.legacyBIOS) ?? false,
    images: concat((x) => x.firmware?.images).map((f) => ({
      ...f,
      arch: f.arch || out.arch,
    })),
  };
  out.timezone = pick((x) => x.timezone) ?? host.timezone;
  out.ssh = {
    localPort: pick((x) => x.ssh?.localPort) ?? 0,
    loadDotSSHPubKeys: pick((x) => x.ssh?.loadDotSSHPubKeys) ?? false,
    forwardAgent: pick((x) => x.ssh?.forwardAgent) ?? false,
    forwardX11: pick((x) => x.ssh?.forwardX11) ?? false,
    forwardX11Trusted: pick((x) => x.ssh?.forwardX11Trusted) ?? false,
    overVsock: overVsockFromEnv() ?? pick((x) => x.ssh?.overVsock),
  };
  out.hostResolver = {
    enabled: pick((x) => x.hostResolver?.enabled) ?? true,
    ipv6: pick((x) => x.hostResolver?.ipv6) ?? false,
    hosts: overlay((x) => x.hostResolver?.hosts),
  };

  out.provision = concat((x) => x.provision).map((p) => fillProvision(p));
  out.guestInstallPrefix = pick((x) => x.guestInstallPrefix) ??
    DEFAULT_GUEST_INSTALL_PREFIX;
  out.upgradePackages = pick((x) => x.upgradePackages) ?? false;
  const archives = concat((x) => x.containerd?.archives);
  out.containerd = {
    system: pick((x) => x.containerd?.system) ?? false,
    user: pick((x) => x.containerd?.user) ??
      (out.os === "Linux" && (out.arch === "x86_64" || out.arch === "aarch64")),
    archives:
      (archives.length > 0
        ? archives
        : structuredClone([...DEFAULT_CONTAINERD_ARCHIVES]))
        .map((f) => ({ ...f, arch: f.arch || out.arch })),
  };

  const probes = concat((x) => x.probes);
  out.probes = probes.map((p, i): Probe => ({
    ...p,
    mode: p.mode || "readiness",
    description: p.description || `user probe ${i + 1}/${probes.length}`,
    script: render(p.script ?? "", guestData(), "probing script"),
  }));
  out.portForwards = concat((x) => x.portForwards).map((rule) =>
    fillPortForward(rule)
  );
  out.copyToHost = concat((x) => x.copyToHost).map((rule): CopyToHost => ({
    ...rule,
    guest: rule.guest ? render(rule.guest, guestData(), "guest") : rule.guest,
    host: rule.host ? render(rule.host, hostData, "host") : rule.host,
    deleteOnStop: rule.deleteOnStop ?? false,
    skipIfMissing: rule.skipIfMissing ?? false,
  }));
  out.propagateProxyEnv = pick((x) => x.propagateProxyEnv) ?? true;
  out.networks = fillNetworks();

  out.mountTypesUnsupported = concat((x) => x.mountTypesUnsupported);
  out.mountType = pick((x) => x.mountType);
  out.mountInotify = pick((x) => x.mountInotify) ?? false;
  out.mounts = fillMounts();

  out.dns = o.dns?.length ? o.dns : y.dns?.length ? y.dns : d.dns ?? [];
  out.env = overlay((x) => x.env);
  out.caCerts = {
    removeDefaults: pick((x) => x.caCerts?.removeDefaults) ?? false,
    files: unique([
      ...(d.caCerts?.files ?? []),
      ...(y.caCerts?.files ?? []),
      ...(o.caCerts?.files ?? []),
    ]),
    certs: unique([
      ...(d.caCerts?.certs ?? []),
      ...(y.caCerts?.certs ?? []),
      ...(o.caCerts?.certs ?? []),
    ]),
  };
  out.message = pick((x) => x.message) ?? "";
  out.nestedVirtualization = pick((x) => x.nestedVirtualization) ?? false;
  out.plain = pick((x) => x.plain) ?? false;
  out.tpm = pick((x) => x.tpm) ?? false;

  if (out.plain) {
    out.portForwards = out.portForwards.filter((rule) => rule.static);
    out.mounts = [];
    out.containerd.system = false;
    out.containerd.user = false;
    out.timezone = "";
  }
  return out;

  function fillUser(): User {
    const explicit = {
      name: pick((x) => x.user?.name),
      comment: pick((x) => x.user?.comment),
      home: pick((x) => x.user?.home),
      shell: pick((x) => x.user?.shell),
      uid: pick((x) => x.user?.uid),
      passwordlessSudo: pick((x) => x.user?.passwordlessSudo),
    };
    const creating = options.existingLimaVersion === undefined;
    let userName = explicit.name;
    if (userName === undefined) {
      userName = host.user.name;
      if (!VALID_USERNAME.test(userName)) {
        if (creating) {
          warn(
            `local username ${
              quote(userName)
            } is not a valid Linux username (must match ${
              quote(VALID_USERNAME.source)
            }); using ${quote(FALLBACK_USER)} instead`,
          );
        }
        userName = FALLBACK_USER;
      } else if (host.user.uid === 0) {
        // The guest's root account exists already: a root host user gets an ordinary one.
        userName = FALLBACK_USER;
      } else if (
        // Reserved on Ubuntu (and macOS) guests; Lima maps it for every guest OS.
        userName === "admin" &&
        !createdBefore(options.existingLimaVersion, "1.0.0")
      ) {
        if (creating) {
          warn(
            `local username ${quote(userName)} is reserved; using ${
              quote(FALLBACK_USER)
            } instead`,
          );
        }
        userName = FALLBACK_USER;
      }
    }
    let home = explicit.home;
    if (home === undefined) {
      if (out.os === "Darwin") home = "/Users/{{.User}}.guest";
      else if (createdBefore(options.existingLimaVersion, "2.1.0")) {
        home = "/home/{{.User}}.linux";
      } else home = "/home/{{.User}}.guest";
    }
    return {
      name: userName,
      comment: explicit.comment ?? host.user.comment,
      home,
      shell: explicit.shell ?? defaultShell(out.os!),
      uid: explicit.uid ??
        (host.user.uid === 0 ? FALLBACK_UID : host.user.uid),
      passwordlessSudo: explicit.passwordlessSudo ?? out.os !== "Darwin",
    };
  }

  function fillVMOpts(): VMOpts {
    const vmOpts: VMOpts = overlay((x) =>
      x.vmOpts as Record<string, unknown> | null | undefined
    ) as VMOpts;
    const cpuType = overlay((x) => x.cpuType);
    if (Object.keys(cpuType).length > 0) {
      warn(
        "The top-level `cpuType` field is deprecated; use `vmOpts.qemu.cpuType` instead",
      );
      const qemu = { ...vmOpts.qemu };
      const merged = { ...qemu.cpuType };
      for (const [arch, type] of Object.entries(cpuType)) {
        if (!type) continue;
        if (merged[arch] && merged[arch] !== type) {
          warn(
            `Conflicting cpuType for arch ${quote(arch)}: ${
              quote(merged[arch])
            } in \`vmOpts.qemu.cpuType\`, ${
              quote(type)
            } in \`cpuType\`; using ${quote(type)}`,
          );
        }
        merged[arch] = type;
      }
      vmOpts.qemu = { ...qemu, cpuType: merged };
    }
    const rosetta = {
      enabled: pick((x) => x.rosetta?.enabled),
      binfmt: pick((x) => x.rosetta?.binfmt),
    };
    if (rosetta.enabled !== undefined || rosetta.binfmt !== undefined) {
      warn(
        "The top-level `rosetta` field is deprecated; use `vmOpts.vz.rosetta` instead",
      );
      const vz = { ...vmOpts.vz };
      vz.rosetta = {
        enabled: vz.rosetta?.enabled ?? rosetta.enabled,
        binfmt: vz.rosetta?.binfmt ?? rosetta.binfmt,
      };
      vmOpts.vz = vz;
    }
    return vmOpts;
  }

  function fillProvision(p: Provision): Provision {
    const mode = p.mode || "system";
    const result: Provision = { ...p, mode };
    const data = guestData();
    if (mode === "dependency") result.skipDefaultDependencyResolution ??= false;
    if (mode === "data") {
      result.content = p.content == null
        ? ""
        : render(p.content, data, "data content");
      result.overwrite ??= true;
    }
    if (mode === "yq") {
      if (p.expression != null) {
        result.expression = render(p.expression, data, "expression");
      }
      result.format ??= "auto";
    }
    if (mode === "data" || mode === "yq") {
      result.owner = p.owner == null
        ? (out.os === "Darwin" || out.os === "FreeBSD"
          ? "root:wheel"
          : "root:root")
        : render(p.owner, data, "owner");
      if (p.path != null) result.path = render(p.path, data, "path");
      result.permissions ??= "644";
    }
    result.script = p.script
      ? render(p.script, data, "provisioning script")
      : "";
    return result;
  }

  function fillPortForward(rule: PortForward): PortForward {
    const r: PortForward = { ...rule };
    r.proto = r.proto || "any";
    r.guestIP ??= r.guestIPMustBeZero ? "0.0.0.0" : "127.0.0.1";
    r.guestIPMustBeZero ??= false;
    r.hostIP ??= "127.0.0.1";
    if (
      !r.guestPortRange ||
      (r.guestPortRange[0] === 0 && r.guestPortRange[1] === 0)
    ) {
      r.guestPortRange = r.guestPort ? [r.guestPort, r.guestPort] : [1, 65535];
    }
    if (r.guestSocket) {
      r.guestSocket = render(r.guestSocket, guestData(), "guestSocket");
    }
    if (r.hostSocket) {
      r.hostSocket = render(r.hostSocket, hostData, "hostSocket");
      if (!isAbsolute(r.hostSocket)) {
        r.hostSocket = join(instDir, "sock", r.hostSocket);
      }
    } else if (
      !r.hostPortRange || (r.hostPortRange[0] === 0 && r.hostPortRange[1] === 0)
    ) {
      r.hostPortRange = r.hostPort
        ? [r.hostPort, r.hostPort]
        : [...r.guestPortRange];
    }
    r.reverse ??= false;
    r.ignore ??= false;
    r.static ??= false;
    return r;
  }

  function fillNetworks(): Network[] {
    const networks: Network[] = [];
    const byInterface = new Map<string, number>();
    for (
      const nw of [
        ...(d.networks ?? []),
        ...(y.networks ?? []),
        ...(o.networks ?? []),
      ]
    ) {
      const at = nw.interface ? byInterface.get(nw.interface) : undefined;
      if (at === undefined) {
        if (nw.interface) byInterface.set(nw.interface, networks.length);
        networks.push({ ...nw });
        continue;
      }
      const earlier = networks[at];
      if (nw.socket) {
        earlier.socket = nw.socket;
        earlier.lima = "";
      }
      if (nw.lima) {
        if (nw.socket) {
          warn(
            `Network ${quote(nw.interface!)} has both socket=${
              quote(nw.socket)
            } and lima=${quote(nw.lima)} fields; ignoring socket`,
          );
        }
        earlier.lima = nw.lima;
        earlier.socket = "";
      }
      if (nw.macAddress) earlier.macAddress = nw.macAddress;
      if (nw.metric != null) earlier.metric = nw.metric;
    }
    const filePath = join(instDir, "lima.yaml");
    return networks.map((nw, i) => ({
      ...nw,
      macAddress: nw.macAddress ||
        macAddress(`${filePath}#${i}`, options.machineID),
      interface: nw.interface || `lima${i}`,
      metric: nw.metric ?? 100,
    }));
  }

  function fillMounts(): Mount[] {
    const mounts: Mount[] = [];
    const byMountPoint = new Map<string, number>();
    for (
      const m of [...(d.mounts ?? []), ...(y.mounts ?? []), ...(o.mounts ?? [])]
    ) {
      let location = cleanPath(
        render(m.location ?? "", hostData, "mount location"),
      );
      if (location === "~" || location.startsWith("~/")) {
        location = host.user.home + location.slice(1);
      }
      const mountPoint = m.mountPoint == null
        ? location
        : render(m.mountPoint, guestData(), "mount point");
      const at = byMountPoint.get(mountPoint);
      if (at === undefined) {
        byMountPoint.set(mountPoint, mounts.length);
        mounts.push({
          ...m,
          location,
          mountPoint,
          sshfs: { ...m.sshfs },
          "9p": { ...m["9p"] },
          virtiofs: { ...m.virtiofs },
        });
        continue;
      }
      const earlier = mounts[at];
      earlier.writable = m.writable ?? earlier.writable;
      for (const [key, value] of Object.entries(m.sshfs ?? {})) {
        if (value != null) {
          (earlier.sshfs as Record<string, unknown>)[key] = value;
        }
      }
      for (const [key, value] of Object.entries(m["9p"] ?? {})) {
        if (value != null) {
          (earlier["9p"] as Record<string, unknown>)[key] = value;
        }
      }
      if (m.virtiofs?.queueSize != null) {
        earlier.virtiofs = { queueSize: m.virtiofs.queueSize };
      }
    }
    return mounts.map((m) => {
      const writable = m.writable ?? false;
      return {
        ...m,
        writable,
        sshfs: {
          cache: m.sshfs?.cache ?? true,
          followSymlinks: m.sshfs?.followSymlinks ?? false,
          sftpDriver: m.sshfs?.sftpDriver ?? "",
        },
        "9p": {
          securityModel: m["9p"]?.securityModel ?? "none",
          protocolVersion: m["9p"]?.protocolVersion ?? "9p2000.L",
          msize: m["9p"]?.msize ?? DEFAULT_9P_MSIZE,
          cache: m["9p"]?.cache ?? (writable ? "mmap" : "fscache"),
        },
        virtiofs: { queueSize: m.virtiofs?.queueSize },
      };
    });
  }

  function overVsockFromEnv(): boolean | undefined {
    const value = Deno.env.get("LIMA_SSH_OVER_VSOCK");
    if (!value) return undefined;
    warn(
      "The environment variable LIMA_SSH_OVER_VSOCK is deprecated in favor of the YAML field .ssh.overVsock",
    );
    if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) {
      return false;
    }
    warn(`invalid LIMA_SSH_OVER_VSOCK value ${quote(value)}`);
    return undefined;
  }
}

function defaultShell(os: string): string {
  switch (os) {
    case "FreeBSD":
      return "/bin/sh";
    case "Darwin":
      return "/bin/zsh";
    case "Windows":
      return "cmd.exe";
    default:
      return "/bin/bash";
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
