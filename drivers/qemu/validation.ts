/**
 * What `limactl validate` checks for `vmType: qemu` (Lima's `pkg/limayaml/validate.go`):
 * small and import-free, so validating loads no driver code.
 */
import type { DriverValidation } from "../../plugins/contract.ts";

export const qemuValidation: DriverValidation = {
  guestOSes: ["Windows"],
  // Lima accepts `mountType: default` with QEMU and lets the driver pick.
  extraMountTypes: ["default"],
};
