/**
 * The files of the cidata seed of a Linux guest (Lima's `pkg/cidata/cidata.go`), computed from a
 * filled config.
 */
import { homedir } from "node:os";
import { posix } from "node:path";
import { mountTag, nic0MacAddress } from "../config/identity.ts";
import { guestHostname } from "../config/fill.ts";
import type { LimaYAML, Mount } from "../config/schema.ts";
import { parseSize } from "../config/units.ts";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { SLIRP } from "../network/slirp.ts";
import { quote } from "../quote.ts";
import { BOOT_FILES } from "./boot/mod.ts";
import { guestEnvironment, renderEtcEnvironment } from "./etc_environment.ts";
import type { IsoFile } from "./iso9660.ts";
import { timezoneFiles } from "./timezone.ts";
import {
  envFile,
  type LimaEnvInput,
  renderLimaEnv,
  type SeedDisk,
} from "./lima_env.ts";
import { type GuestNic, renderNetworkConfig } from "./network_config.ts";
import {
  type KernelMount,
  renderUserData,
  type UserDataInput,
} from "./user_data.ts";

/** The route metric of the user-mode NIC; `networks[]` default to 100. */
const SLIRP_METRIC = 200;

export interface SeedOptions {
  /** The filled config (`fillDefaults`, after the driver set `mountType`). */
  config: LimaYAML;
  /** The instance name. */
  name: string;
  /** The instance directory; NIC 0's MAC address derives from it. */
  instDir: string;
  /** `_config/user.pub`, plus `~/.ssh/*.pub` with `ssh.loadDotSSHPubKeys`. */
  sshPublicKeys: string[];
  /** The host port forwarded to the guest's sshd; the seed itself does not depend on it. */
  sshLocalPort: number;
  /** Default: a new `iid-<unix seconds>` ({@link newInstanceID}). */
  instanceID?: string;
  /** The decompressed guest agent for the guest's OS and arch (ignored in plain mode). */
  guestAgentBinary?: Uint8Array;
  /** Host path of the nerdctl-full archive, put into the seed when containerd is enabled. */
  nerdctlArchive?: string;
  /** Driver scripts by name: `boot.<OS>/<file>`, or a bare file name for `boot.Linux/`. */
  driverBootScripts?: Record<string, string>;
  /** Where proxy variables come from (`propagateProxyEnv`); default: the process environment. */
  hostEnv?: Record<string, string>;
  /** Host ports of the host agent's DNS server (0 when `hostResolver` is off). */
  udpDNSLocalPort?: number;
  tcpDNSLocalPort?: number;
  /** Guest agent channel: vsock port (0 = unused) or virtio-serial port name ("" = unused). */
  vsockPort?: number;
  virtioPort?: string;
  /** vz Rosetta share, as decided by the driver. */
  rosetta?: { enabled: boolean; binfmt: boolean };
  /** The driver boots without cloud-init (WSL2). */
  noCloudInit?: boolean;
  /** The driver's gateway answers DNS (its declared `dnsAtGateway`, vz's). */
  dnsAtGateway?: boolean;
  /**
   * The first `networks[]` entry that is a user-v2 network: it replaces the slirp NIC, and its
   * gateway (network address + 2) serves as gateway and DNS.
   */
  userV2Network?: { index: number; gateway: string; ipAddress: string };
  /** `LIMA_CIDATA_DEBUG`. */
  debug?: boolean;
  /** Seed of NIC 0's MAC address; default: the host's machine ID. */
  machineID?: string;
  /** Host home directory, to find its mount point; default: the current user's. */
  hostHome?: string;
  /** Name servers used when neither `dns` nor a host-provided resolver applies; default: `/etc/resolv.conf`. */
  hostDNS?: string[];
  /** The host's time zone files, copied for guests without them; default `/usr/share/zoneinfo`. */
  zoneinfoDir?: string;
}

/** A fresh instance id; cloud-init re-applies the network config whenever it changes. */
export function newInstanceID(now: Date = new Date()): string {
  return `iid-${Math.floor(now.getTime() / 1000)}`;
}

const text = new TextEncoder();
const EXEC = 0o755;
const DATA = 0o644;

/** Go's `filepath.Clean` for absolute POSIX paths. */
function cleanPath(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith("/")
    ? normal.slice(0, -1)
    : normal;
}

function notFilled(field: string): LimaError {
  return new LimaError({
    summary: "Cannot generate the cidata seed from an incomplete config",
    path: field,
    detail: "the field is unset; fill the defaults before generating the seed",
  });
}

function required<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined) throw notFilled(field);
  return value;
}

/** The `nameserver` addresses of `/etc/resolv.conf`. */
function resolvConfNameservers(): string[] {
  try {
    return Deno.readTextFileSync("/etc/resolv.conf").split("\n")
      .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
      .filter((ns): ns is string => ns !== undefined);
  } catch {
    return [];
  }
}

function expandHome(path: string, home: string): string {
  return path === "~" || path.startsWith("~/") ? home + path.slice(1) : path;
}

function readHostFile(path: string, what: string): Uint8Array {
  try {
    return Deno.readFileSync(path);
  } catch (err) {
    throw new LimaError({
      summary: `Cannot read ${what} ${quote(path)}`,
      detail: errorMessage(err),
    });
  }
}

/** Kernel mount options: access mode, the 9p transport settings, and `nofail` so boot goes on. */
function mountOptions(m: Mount, type: string, index: number): string {
  let options = m.writable ? "rw" : "ro";
  if (type === "9p") {
    const p9 = m["9p"] ?? {};
    let msize: number;
    try {
      msize = parseSize(required(p9.msize, `mounts[${index}].9p.msize`));
    } catch (err) {
      if (err instanceof LimaError) throw err;
      throw new LimaError({
        summary: "Invalid 9p msize",
        path: `mounts[${index}].9p.msize`,
        detail: errorMessage(err),
      });
    }
    options += `,trans=virtio,version=${
      required(p9.protocolVersion, `mounts[${index}].9p.protocolVersion`)
    }`;
    options += `,msize=${msize},cache=${
      required(p9.cache, `mounts[${index}].9p.cache`)
    }`;
  }
  return options + ",nofail";
}

interface SeedContext {
  iid: string;
  userData: UserDataInput;
  limaEnv: LimaEnvInput;
  nics: GuestNic[];
  dnsAddresses: string[];
  env: Record<string, string>;
  params: Record<string, string>;
  provisionFiles: IsoFile[];
  netplanOptional: boolean;
}

function seedContext(options: SeedOptions): SeedContext {
  const { config } = options;
  const os = config.os || "Linux";
  if (os !== "Linux") {
    throw new LimaError({
      summary: `Cannot generate a cidata seed for ${quote(os)} guests`,
      path: "os",
      detail: "only Linux guests are supported",
    });
  }
  if (options.sshPublicKeys.length === 0) {
    throw new LimaError({ summary: "no SSH key was found, run `ssh-keygen`" });
  }
  const u = required(config.user, "user");
  const user = {
    name: required(u.name, "user.name"),
    uid: required(u.uid, "user.uid"),
    comment: u.comment ?? "",
    home: required(u.home, "user.home"),
    shell: required(u.shell, "user.shell"),
    passwordlessSudo: u.passwordlessSudo ?? true,
  };
  const iid = options.instanceID ?? newInstanceID();
  const plain = config.plain ?? false;
  const vmType = required(config.vmType, "vmType");
  const params = config.param ?? {};
  const hostHome = cleanPath(options.hostHome ?? homedir());

  const slirp = options.userV2Network
    ? {
      gateway: options.userV2Network.gateway,
      dns: options.userV2Network.gateway,
      ipAddress: options.userV2Network.ipAddress,
    }
    : {
      gateway: SLIRP.gateway,
      dns: options.dnsAtGateway ? SLIRP.gateway : SLIRP.dns,
      ipAddress: SLIRP.ipAddress,
    };

  const networks = config.networks ?? [];
  const userV2Index = options.userV2Network?.index ?? -1;
  // NIC 0 keeps its MAC when a user-v2 network takes its place (Lima's `pkg/cidata/cidata.go`).
  const nic0Mac = nic0MacAddress(options.instDir, options.machineID);
  const nics: GuestNic[] = [{
    macAddress: nic0Mac,
    interface: "eth0",
    metric: SLIRP_METRIC,
  }];
  networks.forEach((nw, i) => {
    if (i === userV2Index) return;
    nics.push({
      macAddress: required(nw.macAddress, `networks[${i}].macAddress`),
      interface: required(nw.interface, `networks[${i}].interface`),
      metric: nw.metric ?? 100,
    });
  });

  let dnsAddresses: string[];
  if (config.dns && config.dns.length > 0) dnsAddresses = [...config.dns];
  else if (userV2Index >= 0 || options.dnsAtGateway) {
    dnsAddresses = [slirp.gateway];
  } else if (config.hostResolver?.enabled ?? true) dnsAddresses = [slirp.dns];
  else dnsAddresses = options.hostDNS ?? resolvConfNameservers();

  const mountType = config.mountType ?? "";
  const mounts = config.mounts ?? [];
  const kernelMounts: KernelMount[] =
    mountType === "9p" || mountType === "virtiofs"
      ? mounts.map((m, i) => {
        const location = required(m.location, `mounts[${i}].location`);
        const mountPoint = m.mountPoint ?? location;
        return {
          tag: mountTag(location, mountPoint),
          mountPoint,
          type: mountType,
          options: mountOptions(m, mountType, i),
        };
      })
      : [];
  const hostHomeMount = mounts.find((m) =>
    m.location && cleanPath(expandHome(m.location, hostHome)) === hostHome
  );

  const disks: SeedDisk[] = (config.additionalDisks ?? []).map((entry, i) => {
    const disk = typeof entry === "string" ? { name: entry } : entry;
    return {
      name: required(disk.name, `additionalDisks[${i}].name`),
      device: `vd${String.fromCharCode("b".charCodeAt(0) + i)}`,
      format: disk.format ?? true,
      fsType: disk.fsType || "ext4",
      fsArgs: disk.fsArgs ?? [],
    };
  });

  const provisionFiles: IsoFile[] = [];
  const bootScripts: string[] = [];
  const dataFiles: LimaEnvInput["dataFiles"] = [];
  const yqProvisions: LimaEnvInput["yqProvisions"] = [];
  let skipDependencies = false;
  (config.provision ?? []).forEach((p, i) => {
    const id = String(i).padStart(8, "0");
    const mode = p.mode || "system";
    const field = (name: string) => `provision[${i}].${name}`;
    switch (mode) {
      case "system":
      case "user":
      case "dependency":
        provisionFiles.push({
          path: `provision.${mode}/${id}`,
          data: text.encode(p.script ?? ""),
          mode: EXEC,
        });
        if (mode === "dependency" && p.skipDefaultDependencyResolution) {
          skipDependencies = true;
        }
        break;
      case "boot":
        bootScripts.push(p.script ?? "");
        // cloud-init runs them from bootcmd; lima-init from these files.
        provisionFiles.push({
          path: `provision.boot/${id}`,
          data: text.encode(p.script ?? ""),
          mode: EXEC,
        });
        break;
      case "data":
        provisionFiles.push({
          path: `provision.data/${id}`,
          data: text.encode(p.content ?? ""),
          mode: DATA,
        });
        dataFiles.push({
          id,
          overwrite: p.overwrite ?? true,
          owner: p.owner || "root:root",
          path: required(p.path, field("path")),
          permissions: p.permissions || "644",
        });
        break;
      case "yq":
        provisionFiles.push({
          path: `provision.yq/${id}`,
          data: text.encode(required(p.expression, field("expression"))),
          mode: DATA,
        });
        yqProvisions.push({
          id,
          format: p.format || "auto",
          owner: p.owner || "root:root",
          path: required(p.path, field("path")),
          permissions: p.permissions || "644",
        });
        break;
      default:
        // ansible playbooks run from the host; they are not part of the seed.
        break;
    }
  });

  const trustedCerts = [
    ...(config.caCerts?.files ?? []).map((file) =>
      new TextDecoder().decode(
        readHostFile(expandHome(file, hostHome), "the CA certificate file"),
      )
    ),
    ...(config.caCerts?.certs ?? []),
  ];
  const removeDefaultCerts = config.caCerts?.removeDefaults ?? false;
  const containerd = {
    user: config.containerd?.user ?? false,
    system: config.containerd?.system ?? false,
  };
  const containerdArchive =
    (containerd.user || containerd.system) && options.nerdctlArchive
      ? "nerdctl-full.tgz"
      : "";
  const rosetta = options.rosetta ?? { enabled: false, binfmt: false };

  return {
    iid,
    params,
    nics,
    dnsAddresses,
    provisionFiles,
    netplanOptional: params.internal_netplanOptional === "true",
    env: guestEnvironment({
      env: config.env ?? {},
      propagateProxyEnv: config.propagateProxyEnv ?? true,
      hostEnv: options.hostEnv ?? Deno.env.toObject(),
      gateway: slirp.gateway,
    }),
    userData: {
      user,
      sshPublicKeys: options.sshPublicKeys,
      upgradePackages: config.upgradePackages ?? false,
      mounts: kernelMounts,
      rosetta: rosetta.enabled,
      dnsAddresses,
      caCerts: trustedCerts.length > 0 || removeDefaultCerts
        ? { removeDefaults: removeDefaultCerts, trusted: trustedCerts }
        : undefined,
      renameNics: networks.length > 0 ? nics : [],
      bootScripts,
      params,
    },
    limaEnv: {
      debug: options.debug ?? false,
      iid,
      name: options.name,
      user,
      hostHomeMountPoint: hostHomeMount
        ? hostHomeMount.mountPoint ?? hostHomeMount.location ?? ""
        : "",
      mountPoints: mounts.map((m, i) =>
        m.mountPoint ?? required(m.location, `mounts[${i}].location`)
      ),
      mountType,
      disks,
      dataFiles,
      yqProvisions,
      guestInstallPrefix: config.guestInstallPrefix || "/usr/local",
      upgradePackages: config.upgradePackages ?? false,
      containerd: { ...containerd, archive: containerdArchive },
      slirp,
      udpDNSLocalPort: options.udpDNSLocalPort ?? 0,
      tcpDNSLocalPort: options.tcpDNSLocalPort ?? 0,
      rosetta,
      skipDefaultDependencyResolution: skipDependencies,
      vmType,
      vsockPort: options.vsockPort ?? 0,
      virtioPort: options.virtioPort ?? "",
      plain,
      noCloudInit: options.noCloudInit ?? false,
    },
  };
}

/** Driver scripts go where boot.sh looks for them; a bare name means a Linux boot script. */
function driverScriptPath(name: string): string {
  if (/^boot\.[A-Za-z]+\/[^/]+$/.test(name)) return name;
  const base = name.split("/").at(-1) ?? name;
  logger.warn(
    `Driver boot script ${
      quote(name)
    } does not name a boot.<OS> directory; placing it in boot.Linux`,
  );
  return `boot.Linux/${base}`;
}

/** Every file of the seed, with executable modes for scripts and binaries. */
export function seedFiles(options: SeedOptions): IsoFile[] {
  return seedContents(options).files;
}

export interface SeedContents {
  instanceID: string;
  files: IsoFile[];
  /** `INSTDIR/cloud-config.yaml`: the user-data without mounts and without resolv_conf. */
  cloudConfig: string;
}

/** The seed files together with the instance id they carry and the `cloud-config.yaml` text. */
export function seedContents(options: SeedOptions): SeedContents {
  const ctx = seedContext(options);
  const { config } = options;
  const plain = config.plain ?? false;
  const files: IsoFile[] = [
    { path: "user-data", data: text.encode(renderUserData(ctx.userData)) },
    {
      path: "meta-data",
      data: text.encode(
        `instance-id: ${ctx.iid}\nlocal-hostname: ${
          guestHostname(options.name)
        }\n`,
      ),
    },
    {
      path: "network-config",
      data: text.encode(
        renderNetworkConfig({
          nics: ctx.nics,
          dnsAddresses: ctx.dnsAddresses,
          optional: ctx.netplanOptional,
        }),
      ),
    },
    { path: "lima.env", data: text.encode(renderLimaEnv(ctx.limaEnv)) },
    {
      path: "param.env",
      data: text.encode(
        envFile(
          Object.keys(ctx.params).sort().map((
            key,
          ) => [`PARAM_${key}`, ctx.params[key]]),
          "param.env",
        ),
      ),
    },
    {
      path: "etc_environment",
      data: text.encode(renderEtcEnvironment(ctx.env)),
    },
    ...BOOT_FILES.map((f) => ({
      path: f.path,
      data: text.encode(f.content),
      mode: EXEC,
    })),
  ];
  for (
    const [name, content] of Object.entries(options.driverBootScripts ?? {})
  ) {
    files.push({
      path: driverScriptPath(name),
      data: text.encode(content),
      mode: EXEC,
    });
  }
  files.push(...ctx.provisionFiles);
  files.push(...timezoneFiles(config.timezone ?? "", options.zoneinfoDir));
  if (options.guestAgentBinary && !plain) {
    files.push({
      path: "lima-guestagent",
      data: options.guestAgentBinary,
      mode: EXEC,
    });
  }
  if (ctx.limaEnv.containerd.archive && options.nerdctlArchive) {
    files.push({
      path: ctx.limaEnv.containerd.archive,
      data: readHostFile(options.nerdctlArchive, "the nerdctl archive"),
    });
  }
  // What guests booting without cloud-init (`lima-init`, WSL2) read instead of user-data.
  files.push({
    path: "ssh_authorized_keys",
    data: text.encode(
      options.sshPublicKeys.map((k) => k.trim() + "\n").join(""),
    ),
    mode: 0o600,
  }, {
    path: "fstab",
    data: text.encode(
      ctx.userData.mounts.map((m) =>
        [m.tag, escapeFstab(m.mountPoint), m.type, m.options, "0", "0"]
          .join(" ") + "\n"
      ).join(""),
    ),
  });
  return {
    instanceID: ctx.iid,
    files,
    cloudConfig: renderUserData({
      ...ctx.userData,
      mounts: [],
      dnsAddresses: [],
    }),
  };
}

/** PATH as an fstab field: backslash and blanks as octal escapes. */
export function escapeFstab(path: string): string {
  return path.replace(
    /[\\ \t\n]/g,
    (c) => "\\" + c.charCodeAt(0).toString(8).padStart(3, "0"),
  );
}
