/**
 * The lima.yaml data model (Lima's `pkg/limatype/lima_yaml.go`, documented in its
 * `templates/default.yaml`): one zod schema that gives the TypeScript types, the type check of
 * parsed YAML and the JSON Schema for editors.
 *
 * Every field is optional and nullable because `null` means "unset" (the builtin default
 * or `_config/default.yaml` applies). Objects are strict so that unknown keys surface as
 * `unrecognized_keys` issues; `parseLimaYAML` turns those into a warning unless asked to
 * be strict. Value ranges and cross-field rules live in `validate/`, not here, so that
 * their messages can follow Lima's wording.
 */
import { z } from "zod";

/** Guest architectures Lima knows (`ArchTypes` in Lima's `pkg/limatype/lima_yaml.go`). */
export const ARCHS = [
  "x86_64",
  "aarch64",
  "armv7l",
  "ppc64le",
  "riscv64",
  "s390x",
] as const;
export type Arch = typeof ARCHS[number];

/** Guest operating systems (Lima's `pkg/limatype/lima_yaml.go`). */
export const OSES = ["Linux", "Darwin", "FreeBSD", "Windows"] as const;
export type OS = typeof OSES[number];

/** Mount types (Lima's `pkg/limatype/lima_yaml.go`). */
export const MOUNT_TYPES = ["reverse-sshfs", "9p", "virtiofs", "wsl2"] as const;
export type MountType = typeof MOUNT_TYPES[number];

/** Provisioning modes (Lima's `pkg/limatype/lima_yaml.go`). */
export const PROVISION_MODES = [
  "system",
  "user",
  "boot",
  "dependency",
  "ansible",
  "data",
  "yq",
] as const;
export type ProvisionMode = typeof PROVISION_MODES[number];

/** Port-forward protocols (Lima's `pkg/limatype/lima_yaml.go`). */
export const PROTOS = ["tcp", "udp", "any"] as const;
export type Proto = typeof PROTOS[number];

/** `mounts[i].sshfs.sftpDriver` values; `""` lets Lima choose. */
export const SFTP_DRIVERS = ["", "builtin", "openssh-sftp-server"] as const;

/** `mounts[i].9p.securityModel` values (QEMU's `security_model`). */
export const NINEP_SECURITY_MODELS = [
  "passthrough",
  "mapped-xattr",
  "mapped-file",
  "none",
] as const;

/** `mounts[i].9p.protocolVersion` values. */
export const NINEP_PROTOCOL_VERSIONS = [
  "9p2000",
  "9p2000.u",
  "9p2000.L",
] as const;

/** `mounts[i].9p.cache` values. */
export const NINEP_CACHES = ["none", "loose", "fscache", "mmap"] as const;

/** `provision[i].format` values of `mode: yq`. */
export const YQ_FORMATS = [
  "auto",
  "csv",
  "ini",
  "json",
  "props",
  "tsv",
  "toml",
  "xml",
  "yaml",
] as const;

/** `probes[i].mode` values. */
export const PROBE_MODES = ["readiness"] as const;

/** `audio.interface` values. */
export const AUDIO_INTERFACES = ["hda", "virtio"] as const;

/** `vmOpts.vz.diskImageFormat` values. */
export const VZ_DISK_IMAGE_FORMATS = ["raw", "asif"] as const;

/**
 * Drivers built into this tool. `vmType` also takes the name of an installed third-party
 * driver, so the JSON Schema offers these names without rejecting others.
 */
export const BUILTIN_VM_TYPES = ["qemu", "vz", "wsl2", "netbsd-qemu"] as const;

/** Common `audio.device` values (any QEMU audiodev name works). */
export const AUDIO_DEVICES = [
  "none",
  "default",
  "coreaudio",
  "pa",
  "alsa",
  "oss",
  "vz",
] as const;

/** Common `video.display` values (any QEMU display string works). */
export const VIDEO_DISPLAYS = [
  "none",
  "default",
  "vnc",
  "cocoa",
  "sdl",
  "gtk",
] as const;

// Every field carries a description for editors: one sentence in the JSON Schema.
const nullish = <T extends z.ZodType>(t: T, description: string) =>
  t.nullish().describe(description);
/**
 * A string field. Lima's YAML decoder reads an unquoted scalar into a string field as its
 * text (`permissions: 644`, `param: {KEY: true}`), and so does `parseLimaYAML`, so the JSON
 * Schema accepts numbers and booleans there too.
 */
const text = () => z.string().meta({ type: ["string", "number", "boolean"] });
const str = (d: string) => nullish(text(), d);
const bool = (d: string) => nullish(z.boolean(), d);
const int = (d: string) => nullish(z.int(), d);
const stringList = (d: string) => nullish(z.array(text()), d);
const stringMap = (d: string) => nullish(z.record(z.string(), text()), d);

/**
 * A string limited to `values` in the JSON Schema only: parsing accepts any string, so
 * that `validate/` reports a wrong value in Lima's wording.
 */
const oneOf = (values: readonly string[], description: string) =>
  z.string().nullish().meta({ description, enum: [...values, null] });

/** A string whose usual `values` editors offer, while other strings stay valid. */
const suggested = (values: readonly string[], description: string) =>
  z.string().nullish().meta({
    description,
    anyOf: [{ enum: [...values, null] }, { type: "string" }],
  });

/** A map keyed by guest architecture (`cpuType`). */
const archMap = (d: string) =>
  z.record(z.string(), z.string()).nullish().meta({
    description: d,
    propertyNames: { enum: [...ARCHS] },
  });

/** A `{url, digest}` reference (`base`, `provision[i].file`, `probes[i].file`). */
export const LocatorSchema = z.strictObject({
  url: z.string().describe(
    "URL or path of the file; a relative path is resolved against the template.",
  ),
  digest: str("Expected digest of the file (not checked yet, as in Lima)."),
});
export type Locator = z.infer<typeof LocatorSchema>;

/** `base:` entry: a locator string or `{url, digest}`. */
export const BaseLocatorSchema = z.union([z.string(), LocatorSchema]);
export type BaseLocator = z.infer<typeof BaseLocatorSchema>;

const location = () => str("URL or local path of the file to download.");
const fileArch = () =>
  oneOf(ARCHS, "Guest architecture this file is for (default x86_64).");
const digest = () => str("Digest the download must match, such as `sha256:…`.");

/** A downloadable file (`containerd.archives`, `initrd`, `osOpts.Windows.virtioWin`). */
export const FileSchema = z.strictObject({
  location: location(),
  arch: fileArch(),
  digest: digest(),
});
export type File = z.infer<typeof FileSchema>;

/** `images[i].kernel`: a file plus its command line. */
export const KernelSchema = z.strictObject({
  location: location(),
  arch: fileArch(),
  digest: digest(),
  cmdline: str("Kernel command line to boot the custom kernel with."),
});
export type Kernel = z.infer<typeof KernelSchema>;

/** `images[i]`. */
export const ImageEntrySchema = z.strictObject({
  location: str("URL or local path of the disk image."),
  arch: fileArch(),
  digest: digest(),
  variant: str(
    "Flavour of the image, such as `server` or `genericcloud`, picked with `--image-variant`.",
  ),
  archVariant: str(
    "CPU micro-architecture level the image needs, such as `v3`, picked with `--arch-variant`.",
  ),
  kernel: nullish(
    KernelSchema,
    "Custom kernel to boot instead of the image's own.",
  ),
  initrd: nullish(
    FileSchema,
    "Custom initial RAM disk to boot with the custom kernel.",
  ),
});
export type ImageEntry = z.infer<typeof ImageEntrySchema>;

/** `firmware.images[i]`: a file restricted to one driver. */
export const FirmwareImageSchema = z.strictObject({
  location: str("URL or local path of the UEFI firmware image."),
  arch: fileArch(),
  digest: digest(),
  vmType: suggested(
    BUILTIN_VM_TYPES,
    "Driver this firmware is for; other drivers ignore it.",
  ),
});
export type FirmwareImage = z.infer<typeof FirmwareImageSchema>;

/** `additionalDisks[i]` in object form. */
export const DiskSchema = z.strictObject({
  name: str("Name of a disk made with `limactl disk create`."),
  format: bool("Whether to format the disk when it has no filesystem yet."),
  fsType: str("Filesystem to format the disk with, such as `ext4`."),
  fsArgs: stringList("Extra arguments for the mkfs command."),
});
export type Disk = z.infer<typeof DiskSchema>;

/** `additionalDisks[i]`: a disk name or an object. */
export const DiskEntrySchema = z.union([z.string(), DiskSchema]);
export type DiskEntry = z.infer<typeof DiskEntrySchema>;

export const SSHFSSchema = z.strictObject({
  cache: bool(
    "Cache file data in the guest: faster, but host changes may show up late (default true).",
  ),
  followSymlinks: bool(
    "Resolve host symlinks so the guest sees their targets as plain files and directories.",
  ),
  sftpDriver: oneOf(
    SFTP_DRIVERS,
    "SFTP server on the host; `openssh-sftp-server` when installed, else `builtin`.",
  ),
});
export type SSHFS = z.infer<typeof SSHFSSchema>;

export const NinePSchema = z.strictObject({
  securityModel: oneOf(
    NINEP_SECURITY_MODELS,
    "How guest file ownership maps to the host (default `none`).",
  ),
  protocolVersion: oneOf(
    NINEP_PROTOCOL_VERSIONS,
    "9P protocol version (default `9p2000.L`).",
  ),
  msize: str("Payload size of a 9p packet, at least 4KiB (default 128KiB)."),
  cache: oneOf(
    NINEP_CACHES,
    "Guest caching policy; `fscache` for read-only and `mmap` for writable mounts by default.",
  ),
});
export type NineP = z.infer<typeof NinePSchema>;

export const VirtiofsSchema = z.strictObject({
  queueSize: int("Size of the virtio-fs request queue."),
});
export type Virtiofs = z.infer<typeof VirtiofsSchema>;

/** `mounts[i]`. */
export const MountSchema = z.strictObject({
  location: str(
    "Host directory to share; template variables such as {{.Home}} work.",
  ),
  mountPoint: str(
    "Where the directory appears in the guest (default: the same path).",
  ),
  writable: bool(
    "Whether the guest may write to the directory (default false).",
  ),
  sshfs: nullish(SSHFSSchema, "Options of `reverse-sshfs` mounts."),
  "9p": nullish(NinePSchema, "Options of `9p` mounts."),
  virtiofs: nullish(VirtiofsSchema, "Options of `virtiofs` mounts."),
});
export type Mount = z.infer<typeof MountSchema>;

export const SSHSchema = z.strictObject({
  localPort: int(
    "Host port forwarded to the guest's SSH port; 0 picks a free one.",
  ),
  loadDotSSHPubKeys: bool(
    "Also authorize the keys of ~/.ssh/*.pub in the guest (default false).",
  ),
  forwardAgent: bool(
    "Forward the host's SSH agent into the guest (default false).",
  ),
  forwardX11: bool("Forward X11 into the guest (default false)."),
  forwardX11Trusted: bool("Trust forwarded X11 clients (default false)."),
  overVsock: bool(
    "Reach SSH over vsock; the default depends on the driver and guest.",
  ),
});
export type SSH = z.infer<typeof SSHSchema>;

export const FirmwareSchema = z.strictObject({
  legacyBIOS: bool(
    "Boot with legacy BIOS instead of UEFI; ignored on aarch64 and vz.",
  ),
  images: nullish(
    z.array(FirmwareImageSchema),
    "UEFI images to use instead of the driver's built-in firmware.",
  ),
});
export type Firmware = z.infer<typeof FirmwareSchema>;

export const AudioSchema = z.strictObject({
  device: suggested(
    AUDIO_DEVICES,
    "Host audio backend (a QEMU audiodev, or `vz`); `none` mutes the guest (experimental).",
  ),
  interface: oneOf(
    AUDIO_INTERFACES,
    "Sound hardware the guest sees under QEMU; `hda` unless set.",
  ),
});
export type Audio = z.infer<typeof AudioSchema>;

export const VideoSchema = z.strictObject({
  display: suggested(
    VIDEO_DISPLAYS,
    "QEMU display for the guest's screen; `none` shows no window (default).",
  ),
  vnc: nullish(
    z.strictObject({
      display: str(
        "VNC listen address in QEMU's syntax (default `127.0.0.1:0,to=9`).",
      ),
    }),
    "VNC server options, used when `display` is `vnc`.",
  ),
});
export type Video = z.infer<typeof VideoSchema>;

/** `provision[i].file` / `probes[i].file`: a URL/path or `{url, digest}`. */
export const FileRefSchema = z.union([z.string(), LocatorSchema]);
export type FileRef = z.infer<typeof FileRefSchema>;

/** `provision[i]`. */
export const ProvisionSchema = z.strictObject({
  mode: oneOf(
    PROVISION_MODES,
    "When and how the entry runs in the guest (default `system`, as root).",
  ),
  script: str(
    "Script to run; it must be idempotent, as it runs on every boot.",
  ),
  file: nullish(
    FileRefSchema,
    "Script or data read from this URL or path at creation instead of `script`/`content`.",
  ),
  skipDefaultDependencyResolution: bool(
    "For `dependency` scripts: skip Lima's own installation of packages.",
  ),
  playbook: str(
    "Ansible playbook run on the host (deprecated `ansible` mode).",
  ),
  path: str("Guest file that a `data` or `yq` entry writes."),
  content: str("Content of the file a `data` entry writes."),
  overwrite: bool(
    "Whether a `data` entry rewrites the file on every boot (default true).",
  ),
  owner: str(
    "Owner of the written file, as `chown` takes it (default root:root).",
  ),
  permissions: str("Mode of the written file in octal (default 644)."),
  expression: str("yq expression that a `yq` entry applies to the file."),
  format: oneOf(
    YQ_FORMATS,
    "File format for a `yq` entry; `auto` guesses it from the extension.",
  ),
});
export type Provision = z.infer<typeof ProvisionSchema>;

/** `probes[i]`. */
export const ProbeSchema = z.strictObject({
  mode: oneOf(PROBE_MODES, "Kind of probe; only `readiness` exists."),
  description: str("What the probe waits for, shown while it runs."),
  script: str(
    "Script run as the user in the guest; it starts with `#!` and fails until ready.",
  ),
  file: nullish(
    FileRefSchema,
    "Script read from this URL or path at creation instead of `script`.",
  ),
  hint: str("Advice printed when the probe fails."),
});
export type Probe = z.infer<typeof ProbeSchema>;

const portRange = (d: string) => nullish(z.tuple([z.int(), z.int()]), d);

/** `portForwards[i]` (Lima's `PortForward`, `pkg/limatype/lima_yaml.go`). */
export const PortForwardSchema = z.strictObject({
  guestIPMustBeZero: bool(
    "Match only listeners on 0.0.0.0 itself rather than any address.",
  ),
  guestIP: str("Guest address the rule matches (default 127.0.0.1)."),
  guestPort: int("Guest port the rule matches."),
  guestPortRange: portRange("First and last guest port the rule matches."),
  guestSocket: str("Guest UNIX socket to forward."),
  hostIP: str("Host address to listen on (default 127.0.0.1)."),
  hostPort: int("Host port to listen on (default: the guest port)."),
  hostPortRange: portRange(
    "First and last host port, as many as in `guestPortRange`.",
  ),
  hostSocket: str(
    "Host UNIX socket to create; relative paths are under the instance directory.",
  ),
  proto: oneOf(PROTOS, "Protocol the rule matches (default `tcp`)."),
  reverse: bool("Forward from the host to the guest (UNIX sockets only)."),
  ignore: bool("Do not forward the ports this rule matches."),
  static: bool(
    "Forward the port at start, without waiting for a guest listener.",
  ),
});
export type PortForward = z.infer<typeof PortForwardSchema>;

/** `copyToHost[i]`. */
export const CopyToHostSchema = z.strictObject({
  guest: str("Guest file to copy after provisioning."),
  host: str("Host path to copy it to."),
  deleteOnStop: bool("Delete the host copy when the instance stops."),
  skipIfMissing: bool(
    "Skip the copy, instead of failing, when the guest file is missing.",
  ),
});
export type CopyToHost = z.infer<typeof CopyToHostSchema>;

/** `networks[i]` (Lima's `Network`, `pkg/limatype/lima_yaml.go`). */
export const NetworkSchema = z.strictObject({
  lima: str("Network of networks.yaml to join, such as `shared` or `user-v2`."),
  socket: str("Socket of an unmanaged socket_vmnet daemon to join."),
  vzNAT: bool("Join the vz driver's NAT network (needs `vmType: vz`)."),
  macAddress: str(
    "MAC address of the interface (default: derived from the instance name).",
  ),
  interface: str(
    "Name of the interface in the guest (default lima0, lima1, …).",
  ),
  metric: int("Route metric of the interface; the lowest wins (default 100)."),
});
export type Network = z.infer<typeof NetworkSchema>;

export const ContainerdSchema = z.strictObject({
  system: bool(
    "Run rootful containerd with BuildKit in the guest (default false).",
  ),
  user: bool(
    "Run rootless containerd in the guest (default true on x86_64 and aarch64 Linux).",
  ),
  archives: nullish(
    z.array(FileSchema),
    "nerdctl-full archives to install instead of the built-in ones.",
  ),
});
export type Containerd = z.infer<typeof ContainerdSchema>;

export const HostResolverSchema = z.strictObject({
  enabled: bool(
    "Answer the guest's DNS queries with the host's resolver (default true).",
  ),
  ipv6: bool("Also return IPv6 addresses (default false)."),
  hosts: stringMap("Static names, each mapped to an address or another name."),
});
export type HostResolver = z.infer<typeof HostResolverSchema>;

export const CACertsSchema = z.strictObject({
  removeDefaults: bool(
    "Drop the CA certificates the guest OS ships (default false).",
  ),
  files: stringList("Host files of CA certificates for the guest to trust."),
  certs: stringList("PEM CA certificates for the guest to trust."),
});
export type CACerts = z.infer<typeof CACertsSchema>;

export const RosettaSchema = z.strictObject({
  enabled: bool("Make Rosetta available in the guest (needs `vmType: vz`)."),
  binfmt: bool("Register Rosetta with binfmt_misc to run x86_64 binaries."),
});
export type Rosetta = z.infer<typeof RosettaSchema>;

export const UserSchema = z.strictObject({
  name: str(
    "Guest user name (default: the host user's name when valid, else lima).",
  ),
  comment: str("Full name of the guest user."),
  home: str("Home directory in the guest (default /home/{{.User}}.guest)."),
  shell: str(
    "Login shell, an absolute path in the guest (cmd.exe etc. for Windows).",
  ),
  uid: int("Numeric user ID (default: the host user's)."),
  passwordlessSudo: bool(
    "Let the user sudo without a password; otherwise one is generated (experimental).",
  ),
});
export type User = z.infer<typeof UserSchema>;

export const QEMUOptsSchema = z.strictObject({
  minimumVersion: str("Lowest QEMU version that may run this instance."),
  cpuType: archMap(
    "QEMU CPU model per guest architecture, such as `max` or `qemu64,+ssse3`.",
  ),
});
export type QEMUOpts = z.infer<typeof QEMUOptsSchema>;

export const VZOptsSchema = z.strictObject({
  diskImageFormat: oneOf(
    VZ_DISK_IMAGE_FORMATS,
    "Format of the main disk; `asif` needs macOS 26 (default raw).",
  ),
  rosetta: nullish(RosettaSchema, "Rosetta translation of x86_64 binaries."),
});
export type VZOpts = z.infer<typeof VZOptsSchema>;

/** `vmOpts`: keyed by driver name; external drivers may keep their own options here. */
export const VMOptsSchema = z.object({
  qemu: nullish(QEMUOptsSchema, "Options of the qemu driver."),
  vz: nullish(VZOptsSchema, "Options of the vz driver."),
}).catchall(z.unknown());
export type VMOpts = z.infer<typeof VMOptsSchema>;

/** `osOpts`: keyed by guest OS. */
export const OSOptsSchema = z.object({
  Windows: nullish(
    z.strictObject({
      virtioWin: nullish(
        z.array(FileSchema),
        "virtio-win driver media to attach to Windows guests.",
      ),
    }),
    "Options of Windows guests.",
  ),
}).catchall(z.unknown());
export type OSOpts = z.infer<typeof OSOptsSchema>;

/** The whole lima.yaml document; field names exactly as in the file. */
export const LimaYAMLSchema = z.strictObject({
  base: nullish(
    z.union([BaseLocatorSchema, z.array(BaseLocatorSchema)]),
    "Templates merged under this one when the instance is created (experimental).",
  ),
  minimumLimaVersion: str(
    "Lowest Lima version that reads this template correctly.",
  ),
  vmType: suggested(
    BUILTIN_VM_TYPES,
    "Driver that runs the VM, fixed at creation (default vz on macOS, else qemu).",
  ),
  vmOpts: nullish(VMOptsSchema, "Options per driver."),
  os: oneOf(OSES, "Guest operating system (default Linux)."),
  osOpts: nullish(
    OSOptsSchema,
    "Options per guest operating system (experimental).",
  ),
  arch: oneOf(ARCHS, "Guest architecture (default: the host's)."),
  images: nullish(
    z.array(ImageEntrySchema),
    "Disk images to boot; the first one for the guest architecture is used.",
  ),
  cpuType: archMap("Deprecated: use `vmOpts.qemu.cpuType`."),
  cpus: int("Number of virtual CPUs (default: up to 4, the host's count)."),
  memory: str(
    "Memory size, such as `4GiB` (default: up to 4GiB, half the host's).",
  ),
  disk: str("Size of the main disk, such as `100GiB` (the default)."),
  additionalDisks: nullish(
    z.array(DiskEntrySchema),
    "Disks made with `limactl disk create` to attach, by name or with options.",
  ),
  mounts: nullish(
    z.array(MountSchema),
    "Host directories to share with the guest.",
  ),
  mountTypesUnsupported: nullish(
    z.array(z.string()).meta({ items: { enum: [...MOUNT_TYPES] } }),
    "Mount types the guest's kernel lacks; the default mount type avoids them.",
  ),
  mountType: oneOf(
    MOUNT_TYPES,
    "How mounts are shared (default 9p for qemu, virtiofs for vz).",
  ),
  mountInotify: bool(
    "Forward host file changes to the guest's inotify (experimental).",
  ),
  ssh: nullish(SSHSchema, "SSH access to the guest."),
  firmware: nullish(FirmwareSchema, "Firmware the VM boots with."),
  audio: nullish(AudioSchema, "Sound device of the guest (experimental)."),
  video: nullish(VideoSchema, "Display of the guest."),
  provision: nullish(
    z.array(ProvisionSchema),
    "Scripts and files applied in the guest on every boot.",
  ),
  upgradePackages: bool(
    "Upgrade guest packages at boot, rebooting if needed (default false).",
  ),
  containerd: nullish(ContainerdSchema, "containerd and nerdctl in the guest."),
  guestInstallPrefix: str(
    "Guest prefix for the guest agent and containerd (default /usr/local).",
  ),
  probes: nullish(
    z.array(ProbeSchema),
    "Scripts that must succeed before the instance is ready.",
  ),
  portForwards: nullish(
    z.array(PortForwardSchema),
    "Port and socket forwarding rules; the first matching rule wins.",
  ),
  copyToHost: nullish(
    z.array(CopyToHostSchema),
    "Guest files copied to the host after provisioning.",
  ),
  message: str("Go template shown to the user once the instance is running."),
  networks: nullish(
    z.array(NetworkSchema),
    "Extra network interfaces of the guest.",
  ),
  env: stringMap(
    "Environment variables set in the guest, also in /etc/environment.",
  ),
  param: stringMap(
    "Parameters for {{.Param.KEY}} in the file and PARAM_KEY in scripts.",
  ),
  dns: stringList(
    "DNS servers for the guest when the host resolver is disabled.",
  ),
  hostResolver: nullish(
    HostResolverSchema,
    "DNS server in the host agent that resolves names with the host's resolver.",
  ),
  propagateProxyEnv: bool(
    "Pass the host's proxy variables to the guest (default true).",
  ),
  caCerts: nullish(CACertsSchema, "CA certificates the guest trusts."),
  rosetta: nullish(RosettaSchema, "Deprecated: use `vmOpts.vz.rosetta`."),
  plain: bool(
    "Plain mode: no mounts, port forwards, containerd or guest agent (default false).",
  ),
  timezone: str(
    "Guest time zone name; empty leaves it unset (default: the host's).",
  ),
  nestedVirtualization: bool("Allow VMs inside the guest (default false)."),
  tpm: bool("Give the guest an emulated TPM 2.0 through swtpm (experimental)."),
  user: nullish(UserSchema, "The user account in the guest."),
});
export type LimaYAML = z.infer<typeof LimaYAMLSchema>;

/** JSON Schema of lima.yaml for editors (printed by `limactl generate-jsonschema`). */
export function limaYAMLJSONSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(LimaYAMLSchema),
    title: "lima.yaml",
    description: "Configuration of a Lima instance",
  };
}
