/** The built-in `qemu` driver module: manifest and factory (see `driver.ts`). */
import type { DriverFactory, DriverManifest } from "../../plugins/contract.ts";
import { qemuValidation } from "./validation.ts";
import {
  qemuCapabilities,
  qemuDefaults,
  QemuDriver,
  type QemuHost,
  qemuMountTypes,
  type QemuOptions,
} from "./driver.ts";

export type { QemuOptions } from "./driver.ts";

const host: QemuHost = {
  os: Deno.build.os,
  arch: Deno.build.arch,
  mountTypes: qemuMountTypes(Deno.build.os),
};

export const manifest: DriverManifest = {
  name: "qemu",
  contractVersion: "1.1",
  description: "QEMU (KVM, HVF or TCG)",
  hosts: [{ os: "linux" }, { os: "darwin" }, { os: "windows" }, {
    os: "freebsd",
  }],
  vmTypes: ["qemu"],
  capabilities: qemuCapabilities(host.mountTypes),
  validation: qemuValidation,
};

const qemu: DriverFactory<QemuOptions> = (instance, options = {}) =>
  new QemuDriver(instance, { ...qemuDefaults, ...options }, host);
export default qemu;
