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

const nullish = <T extends z.ZodType>(t: T) => t.nullish();
const str = () => nullish(z.string());
const bool = () => nullish(z.boolean());
const int = () => nullish(z.int());
const stringList = () => nullish(z.array(z.string()));
const stringMap = () => nullish(z.record(z.string(), z.string()));

/** A `{url, digest}` reference (`base`, `provision[i].file`, `probes[i].file`). */
export const LocatorSchema = z.strictObject({
  url: z.string(),
  digest: str(),
});
export type Locator = z.infer<typeof LocatorSchema>;

/** `base:` entry: a locator string or `{url, digest}`. */
export const BaseLocatorSchema = z.union([z.string(), LocatorSchema]);
export type BaseLocator = z.infer<typeof BaseLocatorSchema>;

/** A downloadable file (`containerd.archives`, `initrd`, `osOpts.Windows.virtioWin`). */
export const FileSchema = z.strictObject({
  location: str(),
  arch: str(),
  digest: str(),
});
export type File = z.infer<typeof FileSchema>;

/** `images[i].kernel`: a file plus its command line. */
export const KernelSchema = z.strictObject({
  location: str(),
  arch: str(),
  digest: str(),
  cmdline: str(),
});
export type Kernel = z.infer<typeof KernelSchema>;

/** `images[i]`. */
export const ImageEntrySchema = z.strictObject({
  location: str(),
  arch: str(),
  digest: str(),
  variant: str(),
  archVariant: str(),
  kernel: nullish(KernelSchema),
  initrd: nullish(FileSchema),
});
export type ImageEntry = z.infer<typeof ImageEntrySchema>;

/** `firmware.images[i]`: a file restricted to one driver. */
export const FirmwareImageSchema = z.strictObject({
  location: str(),
  arch: str(),
  digest: str(),
  vmType: str(),
});
export type FirmwareImage = z.infer<typeof FirmwareImageSchema>;

/** `additionalDisks[i]` in object form. */
export const DiskSchema = z.strictObject({
  name: str(),
  format: bool(),
  fsType: str(),
  fsArgs: stringList(),
});
export type Disk = z.infer<typeof DiskSchema>;

/** `additionalDisks[i]`: a disk name or an object. */
export const DiskEntrySchema = z.union([z.string(), DiskSchema]);
export type DiskEntry = z.infer<typeof DiskEntrySchema>;

export const SSHFSSchema = z.strictObject({
  cache: bool(),
  followSymlinks: bool(),
  sftpDriver: str(),
});
export type SSHFS = z.infer<typeof SSHFSSchema>;

export const NinePSchema = z.strictObject({
  securityModel: str(),
  protocolVersion: str(),
  msize: str(),
  cache: str(),
});
export type NineP = z.infer<typeof NinePSchema>;

export const VirtiofsSchema = z.strictObject({
  queueSize: int(),
});
export type Virtiofs = z.infer<typeof VirtiofsSchema>;

/** `mounts[i]`. */
export const MountSchema = z.strictObject({
  location: str(),
  mountPoint: str(),
  writable: bool(),
  sshfs: nullish(SSHFSSchema),
  "9p": nullish(NinePSchema),
  virtiofs: nullish(VirtiofsSchema),
});
export type Mount = z.infer<typeof MountSchema>;

export const SSHSchema = z.strictObject({
  localPort: int(),
  loadDotSSHPubKeys: bool(),
  forwardAgent: bool(),
  forwardX11: bool(),
  forwardX11Trusted: bool(),
  overVsock: bool(),
});
export type SSH = z.infer<typeof SSHSchema>;

export const FirmwareSchema = z.strictObject({
  legacyBIOS: bool(),
  images: nullish(z.array(FirmwareImageSchema)),
});
export type Firmware = z.infer<typeof FirmwareSchema>;

export const AudioSchema = z.strictObject({
  device: str(),
  interface: str(),
});
export type Audio = z.infer<typeof AudioSchema>;

export const VideoSchema = z.strictObject({
  display: str(),
  vnc: nullish(z.strictObject({ display: str() })),
});
export type Video = z.infer<typeof VideoSchema>;

/** `provision[i].file` / `probes[i].file`: a URL/path or `{url, digest}`. */
export const FileRefSchema = z.union([z.string(), LocatorSchema]);
export type FileRef = z.infer<typeof FileRefSchema>;

/** `provision[i]`. */
export const ProvisionSchema = z.strictObject({
  mode: str(),
  script: str(),
  file: nullish(FileRefSchema),
  skipDefaultDependencyResolution: bool(),
  playbook: str(),
  path: str(),
  content: str(),
  overwrite: bool(),
  owner: str(),
  permissions: str(),
  expression: str(),
  format: str(),
});
export type Provision = z.infer<typeof ProvisionSchema>;

/** `probes[i]`. */
export const ProbeSchema = z.strictObject({
  mode: str(),
  description: str(),
  script: str(),
  file: nullish(FileRefSchema),
  hint: str(),
});
export type Probe = z.infer<typeof ProbeSchema>;

const portRange = () => nullish(z.tuple([z.int(), z.int()]));

/** `portForwards[i]` (Lima's `PortForward`, `pkg/limatype/lima_yaml.go`). */
export const PortForwardSchema = z.strictObject({
  guestIPMustBeZero: bool(),
  guestIP: str(),
  guestPort: int(),
  guestPortRange: portRange(),
  guestSocket: str(),
  hostIP: str(),
  hostPort: int(),
  hostPortRange: portRange(),
  hostSocket: str(),
  proto: str(),
  reverse: bool(),
  ignore: bool(),
  static: bool(),
});
export type PortForward = z.infer<typeof PortForwardSchema>;

/** `copyToHost[i]`. */
export const CopyToHostSchema = z.strictObject({
  guest: str(),
  host: str(),
  deleteOnStop: bool(),
  skipIfMissing: bool(),
});
export type CopyToHost = z.infer<typeof CopyToHostSchema>;

/** `networks[i]` (Lima's `Network`, `pkg/limatype/lima_yaml.go`). */
export const NetworkSchema = z.strictObject({
  lima: str(),
  socket: str(),
  vzNAT: bool(),
  macAddress: str(),
  interface: str(),
  metric: int(),
});
export type Network = z.infer<typeof NetworkSchema>;

export const ContainerdSchema = z.strictObject({
  system: bool(),
  user: bool(),
  archives: nullish(z.array(FileSchema)),
});
export type Containerd = z.infer<typeof ContainerdSchema>;

export const HostResolverSchema = z.strictObject({
  enabled: bool(),
  ipv6: bool(),
  hosts: stringMap(),
});
export type HostResolver = z.infer<typeof HostResolverSchema>;

export const CACertsSchema = z.strictObject({
  removeDefaults: bool(),
  files: stringList(),
  certs: stringList(),
});
export type CACerts = z.infer<typeof CACertsSchema>;

export const RosettaSchema = z.strictObject({
  enabled: bool(),
  binfmt: bool(),
});
export type Rosetta = z.infer<typeof RosettaSchema>;

export const UserSchema = z.strictObject({
  name: str(),
  comment: str(),
  home: str(),
  shell: str(),
  uid: int(),
  passwordlessSudo: bool(),
});
export type User = z.infer<typeof UserSchema>;

export const QEMUOptsSchema = z.strictObject({
  minimumVersion: str(),
  cpuType: stringMap(),
});
export type QEMUOpts = z.infer<typeof QEMUOptsSchema>;

export const VZOptsSchema = z.strictObject({
  diskImageFormat: str(),
  rosetta: nullish(RosettaSchema),
});
export type VZOpts = z.infer<typeof VZOptsSchema>;

/** `vmOpts`: keyed by driver name; external drivers may keep their own options here. */
export const VMOptsSchema = z.object({
  qemu: nullish(QEMUOptsSchema),
  vz: nullish(VZOptsSchema),
}).catchall(z.unknown());
export type VMOpts = z.infer<typeof VMOptsSchema>;

/** `osOpts`: keyed by guest OS. */
export const OSOptsSchema = z.object({
  Windows: nullish(z.strictObject({ virtioWin: nullish(z.array(FileSchema)) })),
}).catchall(z.unknown());
export type OSOpts = z.infer<typeof OSOptsSchema>;

/** The whole lima.yaml document; field names exactly as in the file. */
export const LimaYAMLSchema = z.strictObject({
  base: nullish(z.union([BaseLocatorSchema, z.array(BaseLocatorSchema)])),
  minimumLimaVersion: str(),
  vmType: str(),
  vmOpts: nullish(VMOptsSchema),
  os: str(),
  osOpts: nullish(OSOptsSchema),
  arch: str(),
  images: nullish(z.array(ImageEntrySchema)),
  cpuType: stringMap(),
  cpus: int(),
  memory: str(),
  disk: str(),
  additionalDisks: nullish(z.array(DiskEntrySchema)),
  mounts: nullish(z.array(MountSchema)),
  mountTypesUnsupported: stringList(),
  mountType: str(),
  mountInotify: bool(),
  ssh: nullish(SSHSchema),
  firmware: nullish(FirmwareSchema),
  audio: nullish(AudioSchema),
  video: nullish(VideoSchema),
  provision: nullish(z.array(ProvisionSchema)),
  upgradePackages: bool(),
  containerd: nullish(ContainerdSchema),
  guestInstallPrefix: str(),
  probes: nullish(z.array(ProbeSchema)),
  portForwards: nullish(z.array(PortForwardSchema)),
  copyToHost: nullish(z.array(CopyToHostSchema)),
  message: str(),
  networks: nullish(z.array(NetworkSchema)),
  env: stringMap(),
  param: stringMap(),
  dns: stringList(),
  hostResolver: nullish(HostResolverSchema),
  propagateProxyEnv: bool(),
  caCerts: nullish(CACertsSchema),
  rosetta: nullish(RosettaSchema),
  plain: bool(),
  timezone: str(),
  nestedVirtualization: bool(),
  tpm: bool(),
  user: nullish(UserSchema),
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
