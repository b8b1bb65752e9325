/**
 * The built-in `netbsd-qemu` driver: QEMU on a NetBSD host, accelerated by NVMM. It shares
 * the QEMU driver and differs in the host profile: pkgsrc paths for QEMU and its firmware,
 * NVMM instead of KVM, and no 9p or virtiofs (QEMU supports neither on NetBSD hosts).
 * On NetBSD, `vmType: qemu` resolves to this driver.
 */
import type { DriverFactory, DriverManifest } from "../../plugins/contract.ts";
import {
  qemuCapabilities,
  qemuDefaults,
  QemuDriver,
  type QemuHost,
  type QemuOptions,
} from "../qemu/driver.ts";

export type { QemuOptions } from "../qemu/driver.ts";

/** pkgsrc installs under /usr/pkg. */
export const netbsdHost: QemuHost = {
  os: "netbsd",
  arch: "x86_64",
  mountTypes: ["reverse-sshfs"],
  binDir: "/usr/pkg/bin",
  firmwarePaths: [
    "/usr/pkg/share/qemu/edk2-x86_64-code.fd",
    "/usr/pkg/share/edk2/OVMF_CODE.fd",
  ],
};

export const manifest: DriverManifest = {
  name: "netbsd-qemu",
  contractVersion: "1.0",
  description: "QEMU with NVMM on NetBSD",
  hosts: [{ os: "netbsd", arch: ["x86_64"] }],
  vmTypes: ["netbsd-qemu", "qemu"],
  capabilities: qemuCapabilities(netbsdHost.mountTypes),
};

const netbsdQemu: DriverFactory<QemuOptions> = (instance, options = {}) =>
  new QemuDriver(instance, { ...qemuDefaults, ...options }, netbsdHost);
export default netbsdQemu;
