/**
 * Which built-in driver a configuration without `vmType` gets (Lima's
 * `pkg/limayaml/defaults.go`): vz on macOS hosts, qemu elsewhere and whenever the guest's
 * architecture is not the host's (only QEMU emulates). Handed to the core at start-up.
 */
import type { DefaultVMType } from "../core/config/fill.ts";

export const builtinDefaultVMType: DefaultVMType = (arch, host) => {
  if (arch !== host.arch) return "qemu";
  return host.os === "darwin" ? "vz" : "qemu";
};
