/**
 * The data Go templates see for an instance (`limactl list --format '{{.Name}}'` and the
 * `message` field): Lima's Go field names on plain objects, maps as `Map`. Each object
 * serialises back to Lima's JSON names, so `{{json .Config}}` prints lima.yaml keys.
 */
import type { Instance } from "./record.ts";
import { configDir, joinPath, limaHome } from "../store/paths.ts";

/** The fields `--list-fields` prints, in declaration order (deprecated ones excluded). */
export const INSTANCE_FIELDS = [
  "Name",
  "Hostname",
  "Status",
  "Dir",
  "VMType",
  "Arch",
  "CPUs",
  "Memory",
  "Disk",
  "Message",
  "AdditionalDisks",
  "Networks",
  "SSHLocalPort",
  "SSHConfigFile",
  "HostAgentPID",
  "DriverPID",
  "Errors",
  "Config",
  "SSHAddress",
  "Protected",
  "LimaVersion",
  "Param",
  "AutoStartedIdentifier",
] as const;

/** Host fields kept for old templates; `limactl info` has them now. */
export const DEPRECATED_FIELDS = [
  "HostOS",
  "HostArch",
  "LimaHome",
  "IdentityFile",
] as const;

/** lima.yaml keys whose Go field name is not just the key with an upper-case first letter. */
const GO_NAMES: Record<string, string> = {
  vmType: "VMType",
  vmOpts: "VMOpts",
  os: "OS",
  osOpts: "OsOpts",
  cpuType: "CPUType",
  cpus: "CPUs",
  ssh: "SSH",
  dns: "DNS",
  caCerts: "CACertificates",
  timezone: "TimeZone",
  tpm: "TPM",
  uid: "UID",
  ipv6: "IPv6",
  sshfs: "SSHFS",
  "9p": "NineP",
  sftpDriver: "SFTPDriver",
  guestIP: "GuestIP",
  guestIPMustBeZero: "GuestIPMustBeZero",
  hostIP: "HostIP",
  vzNAT: "VZNAT",
  macAddress: "MACAddress",
  vnc: "VNC",
  loadDotSSHPubKeys: "LoadDotSSHPubKeys",
  forwardX11: "ForwardX11",
  forwardX11Trusted: "ForwardX11Trusted",
};

/** lima.yaml keys that are Go maps (keys stay as written) rather than structs. */
const MAP_KEYS = new Set([
  "vmOpts",
  "osOpts",
  "cpuType",
  "env",
  "param",
  "hosts",
]);

function goName(key: string): string {
  return GO_NAMES[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
}

/** Attaches a hidden `toJSON` so that serialising the Go-shaped view gives back ORIGINAL. */
function withJSON<T extends object>(view: T, original: unknown): T {
  Object.defineProperty(view, "toJSON", {
    value: () => original,
    enumerable: false,
  });
  return view;
}

function toMap(value: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(value).map(([k, v]) => [k, goValue(v)]));
}

/** Converts a lima.yaml value (JSON names) to its Go-shaped template view. */
export function goValue(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => goValue(v));
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (key !== undefined && MAP_KEYS.has(key)) return toMap(record);
  const view: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined || v === null) continue;
    view[goName(k)] = goValue(v, k);
  }
  return withJSON(view, value);
}

/** The JSON record of an instance as `limactl list --json` prints it (before removing empty values). */
export function instanceJSON(inst: Instance): Record<string, unknown> {
  return {
    name: inst.name,
    hostname: inst.hostname,
    status: inst.status,
    dir: inst.dir,
    vmType: inst.vmType,
    arch: inst.arch,
    cpus: inst.cpus || undefined,
    memory: inst.memory || undefined,
    disk: inst.disk || undefined,
    message: inst.message || undefined,
    additionalDisks: inst.additionalDisks.length
      ? inst.additionalDisks
      : undefined,
    network: inst.networks.length ? inst.networks : undefined,
    sshLocalPort: inst.sshLocalPort || undefined,
    sshConfigFile: inst.sshConfigFile || undefined,
    hostAgentPID: inst.hostAgentPID || undefined,
    driverPID: inst.driverPID || undefined,
    errors: inst.errors.length ? inst.errors : undefined,
    config: inst.config,
    sshAddress: inst.sshAddress || undefined,
    protected: inst.protected,
    limaVersion: inst.limaVersion,
    param: Object.keys(inst.param).length ? inst.param : undefined,
    autoStartedIdentifier: inst.autoStartedIdentifier || undefined,
  };
}

/** The host fields every template record carries (deprecated in Lima, still honoured). */
export function hostFields(): Record<
  (typeof DEPRECATED_FIELDS)[number],
  string
> {
  return {
    HostOS: Deno.build.os,
    HostArch: Deno.build.arch,
    LimaHome: limaHome(),
    IdentityFile: joinPath(configDir(), "user"),
  };
}

/**
 * The template view of an instance: its Go fields plus the deprecated host fields, and the
 * same fields as `.Instance` (Lima's `FormatData` embeds the instance; templates such as
 * `docker.yaml`'s `message` use `.Instance.Config`).
 */
export function instanceTemplateData(inst: Instance): Record<string, unknown> {
  const host = hostFields();
  const fields: Record<string, unknown> = {
    Name: inst.name,
    Hostname: inst.hostname,
    Status: inst.status,
    Dir: inst.dir,
    VMType: inst.vmType,
    Arch: inst.arch,
    CPUs: inst.cpus,
    Memory: inst.memory,
    Disk: inst.disk,
    Message: inst.message,
    AdditionalDisks: goValue(inst.additionalDisks),
    Networks: goValue(inst.networks),
    SSHLocalPort: inst.sshLocalPort,
    SSHConfigFile: inst.sshConfigFile,
    HostAgentPID: inst.hostAgentPID,
    DriverPID: inst.driverPID,
    Errors: inst.errors,
    Config: inst.config ? goValue(inst.config) : null,
    SSHAddress: inst.sshAddress,
    Protected: inst.protected,
    LimaVersion: inst.limaVersion,
    Param: new Map(Object.entries(inst.param)),
    AutoStartedIdentifier: inst.autoStartedIdentifier,
  };
  const view = {
    ...fields,
    Instance: withJSON(fields, instanceJSON(inst)),
    ...host,
  };
  return withJSON(view, { ...instanceJSON(inst), ...host });
}
