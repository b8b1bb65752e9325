/**
 * The driver contract: what every VM driver module (built-in or third-party) exports and
 * implements. A module exports a `manifest` (what it is, where it runs, what it can do,
 * which permissions it needs) and a default factory `(instance, options) => Driver`.
 *
 * Optional members of `Driver` exist exactly when the manifest's capability flags say so,
 * so callers check `manifest.capabilities` instead of catching "not implemented".
 */
import { z } from "zod";
import type { Diagnostic } from "../core/errors.ts";
import { type LimaYAML, MOUNT_TYPES } from "../core/config/schema.ts";

/** The contract version this build of limactl implements (`major.minor`). */
export const CONTRACT_VERSION = "1.2";

/** Host architectures (Deno's names, which are also Lima's). */
export const HOST_ARCHS = ["x86_64", "aarch64"] as const;

/**
 * How the host agent reaches the guest agent (`GuestAgentConn` in Lima's `pkg/driver/driver.go`).
 */
export const GUEST_AGENT_TRANSPORTS = [
  "ssh",
  "vsock",
  "virtio-serial",
] as const;
export type GuestAgentTransport = typeof GUEST_AGENT_TRANSPORTS[number];

const permissionValue = z.union([z.boolean(), z.array(z.string())]);

/**
 * Deno permissions a third-party driver runs with (the same names as `deno run --allow-*`):
 * `true` for all, a list to limit, absent or `false` for none.
 */
export const DriverPermissionsSchema = z.strictObject({
  read: permissionValue.optional(),
  write: permissionValue.optional(),
  net: permissionValue.optional(),
  env: permissionValue.optional(),
  run: permissionValue.optional(),
  sys: permissionValue.optional(),
});
export type DriverPermissions = z.infer<typeof DriverPermissionsSchema>;
export type PermissionName = keyof DriverPermissions;
export const PERMISSION_NAMES: PermissionName[] = [
  "read",
  "write",
  "net",
  "env",
  "run",
  "sys",
];

export const DriverCapabilitiesSchema = z.strictObject({
  /** Mount types the driver can provide on this host; `configure` picks the default among them. */
  mountTypes: z.array(z.enum(MOUNT_TYPES)),
  /** `snapshots` member present. */
  snapshots: z.boolean(),
  /** `runGUI` member present: the host agent must run the driver's GUI loop. */
  gui: z.boolean(),
  /** `display` member present (VNC password and address). */
  display: z.boolean(),
  /** `display.screenshot` member present (contract 1.2; absent: false). */
  screenshot: z.boolean().optional(),
  /** The SSH address is only known once the VM runs (ask `sshAddress()` after `start()`). */
  dynamicSSHAddress: z.boolean(),
  /** The guest gets its seed as a `cidata/` directory instead of `cidata.iso`. */
  noCloudInit: z.boolean(),
  /** `guestAgentConn` member present unless this is `ssh`. */
  guestAgentTransport: z.enum(GUEST_AGENT_TRANSPORTS),
  /** Disk image formats `createDisk` accepts. */
  imageFormats: z.array(z.string()),
});
export type DriverCapabilities = z.infer<typeof DriverCapabilitiesSchema>;

/**
 * Rules `limactl validate` applies to configurations naming the driver, on every host and
 * without loading it (contract 1.1; `DriverRules` in `core/config/validate/driver_rules.ts`).
 */
export const DriverValidationSchema = z.strictObject({
  /** Guest OSes besides Linux the driver runs; `os: Windows` must name a driver listing it. */
  guestOSes: z.array(z.string()).optional(),
  /** `user.passwordlessSudo: false` is refused: the driver's guests always have it. */
  requiresPasswordlessSudo: z.boolean().optional(),
  /** How messages name the driver's guests (`WSL2`); defaults to the driver name. */
  guestLabel: z.string().optional(),
  /** `mountType` values the driver accepts besides Lima's mount types. */
  extraMountTypes: z.array(z.string()).optional(),
  /** Network attachments only this driver provides (`vzNAT`). */
  networks: z.array(z.string()).optional(),
  /** The driver sizes its guests itself: `cpus`, `memory` and `disk` list as 0. */
  fixedResources: z.boolean().optional(),
  /** The guest sees host files beyond `mounts`: `limactl shell` keeps the working directory. */
  guestSeesHostFiles: z.boolean().optional(),
  /** The driver's user-mode network answers DNS at its gateway: the guest asks there. */
  dnsAtGateway: z.boolean().optional(),
  /** The guest resolves names through the host agent's DNS server (`hostResolver`). */
  usesHostResolver: z.boolean().optional(),
});
export type DriverValidation = z.infer<typeof DriverValidationSchema>;

export const DriverManifestSchema = z.strictObject({
  /** Driver name, shown by `limactl info`. */
  name: z.string().regex(
    /^[a-z0-9][a-z0-9._-]*$/,
    "must be lower-case letters, digits, `.`, `_` or `-`",
  ),
  /** Contract version the module was written against: `"1.1"`, `"1"` or `1`. */
  contractVersion: z.union([z.string(), z.number()]),
  description: z.string().optional(),
  /** Hosts the driver can create and start VMs on; configurations validate everywhere. */
  hosts: z.array(z.strictObject({
    os: z.string(),
    arch: z.array(z.enum(HOST_ARCHS)).optional(),
  })).min(1),
  /** `vmType` values this driver serves. */
  vmTypes: z.array(z.string()).min(1),
  capabilities: DriverCapabilitiesSchema,
  validation: DriverValidationSchema.optional(),
  /** Permissions a third-party driver needs; built-in drivers run in-process and omit it. */
  permissions: DriverPermissionsSchema.optional(),
});
export type DriverManifest = z.infer<typeof DriverManifestSchema>;

/**
 * A `networks[]` entry the core has resolved for the driver to attach. `user-v2`: a user-mode
 * network shared between instances; `socket`: the socket_vmnet-compatible socket of a `socket:`
 * entry. Either way, connect to `socketPath`, a UNIX stream socket carrying Ethernet frames each
 * preceded by its 4-byte big-endian length (QEMU's `stream`/`socket` netdev framing).
 */
export interface NetworkAttachment {
  /** The entry's index in `networks[]`. */
  index: number;
  kind: "user-v2" | "socket";
  socketPath: string;
  /** The guest NIC's MAC address. */
  macAddress: string;
  /** The first user-v2 network replaces the default user-mode NIC (NIC 0); never a socket. */
  nic0: boolean;
}

/** The instance a driver is bound to. */
export interface DriverInstance {
  name: string;
  /** `LIMA_HOME/<name>`. */
  dir: string;
  /** The instance's lima.yaml with the builtin defaults filled in. */
  config: LimaYAML;
  /**
   * Contents of `lima-version`: `""` when the file is missing (older than any release),
   * absent for an instance being created now. Some driver defaults depend on it.
   */
  limaVersion?: string;
  /** Host port forwarded to the guest's SSH port (chosen by the host agent before `start`). */
  sshLocalPort?: number;
  /**
   * The `networks[]` entries the core resolved (in `networks[]` order); entries not listed are
   * the driver's own to handle or to warn about.
   */
  networks?: NetworkAttachment[];
}

/** Lima's statuses (`pkg/limatype/lima_instance.go`); `""` means "use the PID files". */
export type InstanceStatus =
  | "Running"
  | "Stopped"
  | "Broken"
  | "Uninitialized"
  | "Installing"
  | "";

/** How a VM ended: reported once on `RunningVM.exited`. */
export interface ExitReport {
  code: number | null;
  signal?: string | null;
  /** Set when the VM ended because of an error rather than a requested stop. */
  diagnostic?: Diagnostic;
}

/** A started VM. */
export interface RunningVM {
  pid?: number;
  /** Settles once the VM process has ended, whatever the reason. */
  exited: Promise<ExitReport>;
}

/**
 * Lima's driver `Info` (Lima's `pkg/driver/driver.go`), as `limactl hostagent` and `info` need it.
 */
export interface DriverInfo {
  name: string;
  vsockPort: number;
  virtioPort: string;
  instanceDir: string;
  /**
   * Ours: absolute paths of the files the guest's consoles are logged to while it boots. The host
   * agent follows them to show the boot's phases and to recognise a stuck boot; a driver that
   * declares none gets neither.
   */
  consoleLogs?: string[];
  features: {
    canRunGui: boolean;
    dynamicSSHAddress: boolean;
    staticSSHPort: boolean;
    skipSocketForwarding: boolean;
    noCloudInit: boolean;
    rosettaEnabled: boolean;
    rosettaBinFmt: boolean;
    supportedImageFormats: string[];
  };
}

/** A UNIX socket on the host that reaches the guest agent directly. */
export interface GuestAgentEndpoint {
  transport: Exclude<GuestAgentTransport, "ssh">;
  socketPath: string;
  /**
   * Ours: a UNIX socket reaching the guest's virtio-serial port named TUNNEL_VIRTIO_PORT, which
   * carries forwarded TCP connections without SSH (core/portfwd/tunnel.ts). Without it TCP
   * forwarding goes over SSH.
   */
  tunnelSocketPath?: string;
}

/** The virtio-serial port name the guest agent serves its port-forwarding tunnel on. */
export const TUNNEL_VIRTIO_PORT = "io.lima-vm.tunnel.0";

/**
 * `limactl snapshot` (Lima's `SnapshotManager`). Called on a driver bound to the instance but
 * not configured, whether the VM runs or not: the driver tells which from its own state.
 */
export interface SnapshotOps {
  create(tag: string): Promise<void>;
  apply(tag: string): Promise<void>;
  delete(tag: string): Promise<void>;
  /**
   * The table `limactl snapshot list` prints: a header whose second column is `TAG`, then one
   * row per snapshot with its tag second (QEMU's `qemu-img snapshot -l` / `info snapshots`
   * without the line before the header); `""` when there are none.
   */
  list(): Promise<string>;
}

/** The image formats of `limactl screenshot`, as in Lima. */
export type ScreenshotFormat = "png" | "bmp";

/** Thrown by `DisplayOps.screenshot` when the VM has no display to capture (Lima's `ErrNoDisplay`). */
export class NoDisplayError extends Error {
  constructor() {
    super("no display configured");
    this.name = "NoDisplayError";
  }
}

export interface DisplayOps {
  changePassword(password: string): Promise<void>;
  /** The actual display address (e.g. `127.0.0.1:5900`). */
  connection(): Promise<string>;
  /**
   * The VM display as an image file's bytes (Lima's `driver.Screenshotter`), present exactly
   * when `capabilities.screenshot` is true. Throws `NoDisplayError` when the VM has no display.
   */
  screenshot?(format: ScreenshotFormat): Promise<Uint8Array<ArrayBuffer>>;
}

/**
 * One instance's driver. Call order: `configure` → `validate` → `create` → `createDisk` →
 * `start` → … → `stop` → `delete`. Failures are thrown as `LimaError` (a `Diagnostic`).
 */
export interface Driver {
  /** Fills driver-specific defaults (mountType, VNC display, CPU type…) and binds to the result. */
  configure(): Promise<LimaYAML>;
  /** Problems with the bound configuration; errors make the instance unusable. */
  validate(): Promise<Diagnostic[]>;
  /** First-time creation of driver state; must not create disks. */
  create(): Promise<void>;
  /** Turns `INSTDIR/image` into `disk` (or `iso`); idempotent. */
  createDisk(): Promise<void>;
  start(): Promise<RunningVM>;
  /** Graceful shutdown, forced after the driver's deadline; a no-op when not running. */
  stop(): Promise<void>;
  /** Removes driver-specific state outside the instance directory. */
  delete(): Promise<void>;
  inspectStatus(): Promise<InstanceStatus>;
  sshAddress(): Promise<string>;
  /** Extra boot scripts keyed `boot.<OS>/<name>`. */
  bootScripts(): Promise<Record<string, string>>;
  info(): Promise<DriverInfo>;
  snapshots?: SnapshotOps;
  runGUI?(): Promise<void>;
  display?: DisplayOps;
  guestAgentConn?(): Promise<GuestAgentEndpoint>;
}

/** JSON-compatible driver options (a third-party driver receives them through a message). */
export type DriverOptions = Record<string, unknown>;

export type DriverFactory<O extends object = DriverOptions> = (
  instance: DriverInstance,
  options?: Partial<O>,
) => Driver;

/** What a driver module exports. */
export interface DriverModule<O extends object = DriverOptions> {
  manifest: DriverManifest;
  default: DriverFactory<O>;
}

/** Parses `"1.0"`, `"1"` or `1`; undefined when it is neither. */
export function parseContractVersion(
  version: string | number,
): { major: number; minor: number } | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(String(version).trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0) };
}

/** Whether a module written for `version` can be used by this build (same major, minor not newer). */
export function isContractCompatible(version: string | number): boolean {
  const theirs = parseContractVersion(version);
  const ours = parseContractVersion(CONTRACT_VERSION)!;
  return theirs !== undefined && theirs.major === ours.major &&
    theirs.minor <= ours.minor;
}

/** Whether the manifest lists the given host. */
export function supportsHost(
  manifest: DriverManifest,
  host: { os: string; arch: string } = {
    os: Deno.build.os,
    arch: Deno.build.arch,
  },
): boolean {
  return manifest.hosts.some((h) =>
    h.os === host.os && (!h.arch || (h.arch as string[]).includes(host.arch))
  );
}
