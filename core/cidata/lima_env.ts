/**
 * The `lima.env` file of the seed: `LIMA_CIDATA_*` settings for the boot scripts (Lima's
 * `pkg/cidata/cidata.TEMPLATE.d/lima.env`).
 */
import { LimaError } from "../errors.ts";
import type { GuestUser } from "./user_data.ts";

export interface SeedDisk {
  name: string;
  /** Kernel name of the block device (`vdb`, `vdc`, …). */
  device: string;
  format: boolean;
  fsType: string;
  fsArgs: string[];
}

/** A file-writing provision; `id` is its `%08d` index in `provision`. */
export interface SeedFileProvision {
  id: string;
  owner: string;
  path: string;
  permissions: string;
}

export interface LimaEnvInput {
  debug: boolean;
  iid: string;
  /** The instance name. */
  name: string;
  user: GuestUser;
  /** Guest mount point of the host home directory, "" when it is not mounted. */
  hostHomeMountPoint: string;
  mountPoints: string[];
  mountType: string;
  disks: SeedDisk[];
  dataFiles: (SeedFileProvision & { overwrite: boolean })[];
  yqProvisions: (SeedFileProvision & { format: string })[];
  guestInstallPrefix: string;
  upgradePackages: boolean;
  containerd: { user: boolean; system: boolean; archive: string };
  slirp: { dns: string; gateway: string; ipAddress: string };
  udpDNSLocalPort: number;
  tcpDNSLocalPort: number;
  rosetta: { enabled: boolean; binfmt: boolean };
  skipDefaultDependencyResolution: boolean;
  vmType: string;
  vsockPort: number;
  virtioPort: string;
  plain: boolean;
  noCloudInit: boolean;
}

const flag = (on: boolean) => (on ? "1" : "");

/** `KEY=value` lines; boot.sh exports each line as it is, so a value must not span lines. */
export function renderLimaEnv(input: LimaEnvInput): string {
  const entries: [string, string | number | boolean][] = [
    ["DEBUG", flag(input.debug)],
    ["IID", input.iid],
    ["NAME", input.name],
    ["USER", input.user.name],
    ["UID", input.user.uid],
    ["COMMENT", input.user.comment],
    ["HOME", input.user.home],
    ["SHELL", input.user.shell],
    ["HOSTHOME_MOUNTPOINT", input.hostHomeMountPoint],
    ["MOUNTS", input.mountPoints.length],
    ...input.mountPoints.map((
      mp,
      i,
    ): [string, string] => [`MOUNTS_${i}_MOUNTPOINT`, mp]),
    ["MOUNTTYPE", input.mountType],
    ["DISKS", input.disks.length],
    ...input.disks.flatMap((d, i): [string, string | boolean][] => [
      [`DISK_${i}_NAME`, d.name],
      [`DISK_${i}_DEVICE`, d.device],
      [`DISK_${i}_FORMAT`, d.format],
      [`DISK_${i}_FSTYPE`, d.fsType],
      [`DISK_${i}_FSARGS`, d.fsArgs.join(" ")],
    ]),
    ...input.dataFiles.flatMap((f): [string, string | boolean][] => [
      [`DATAFILE_${f.id}_OVERWRITE`, f.overwrite],
      [`DATAFILE_${f.id}_OWNER`, f.owner],
      [`DATAFILE_${f.id}_PATH`, f.path],
      [`DATAFILE_${f.id}_PERMISSIONS`, f.permissions],
    ]),
    ...input.yqProvisions.flatMap((f): [string, string][] => [
      [`YQ_PROVISION_${f.id}_FORMAT`, f.format],
      [`YQ_PROVISION_${f.id}_OWNER`, f.owner],
      [`YQ_PROVISION_${f.id}_PATH`, f.path],
      [`YQ_PROVISION_${f.id}_PERMISSIONS`, f.permissions],
    ]),
    ["GUEST_INSTALL_PREFIX", input.guestInstallPrefix],
    ["UPGRADE_PACKAGES", flag(input.upgradePackages)],
    ["CONTAINERD_USER", flag(input.containerd.user)],
    ["CONTAINERD_SYSTEM", flag(input.containerd.system)],
    ...(input.containerd.archive
      ? [["CONTAINERD_ARCHIVE", input.containerd.archive] as [string, string]]
      : []),
    ["SLIRP_DNS", input.slirp.dns],
    ["SLIRP_GATEWAY", input.slirp.gateway],
    ["SLIRP_IP_ADDRESS", input.slirp.ipAddress],
    ["UDP_DNS_LOCAL_PORT", input.udpDNSLocalPort],
    ["TCP_DNS_LOCAL_PORT", input.tcpDNSLocalPort],
    ["ROSETTA_ENABLED", input.rosetta.enabled],
    ["ROSETTA_BINFMT", input.rosetta.binfmt],
    [
      "SKIP_DEFAULT_DEPENDENCY_RESOLUTION",
      flag(input.skipDefaultDependencyResolution),
    ],
    ["VMTYPE", input.vmType],
    ["VSOCK_PORT", input.vsockPort],
    ["VIRTIO_PORT", input.virtioPort],
    ["PLAIN", flag(input.plain)],
    ["NO_CLOUD_INIT", flag(input.noCloudInit)],
    ["PASSWORDLESS_SUDO", flag(input.user.passwordlessSudo)],
  ];
  return envFile(
    entries.map(([key, value]) => [`LIMA_CIDATA_${key}`, String(value)]),
    "lima.env",
  );
}

/** Joins `KEY=value` lines, refusing values that would break the one-entry-per-line format. */
export function envFile(entries: [string, string][], file: string): string {
  for (const [key, value] of entries) {
    if (/[\r\n\0]/.test(value)) {
      throw new LimaError({
        summary: `Cannot write ${key} to the cidata file ${file}`,
        detail: `the value ${
          JSON.stringify(value)
        } contains a line break or NUL character`,
      });
    }
  }
  return entries.map(([key, value]) => `${key}=${value}\n`).join("");
}
