/**
 * What `limactl validate` checks for `vmType: qemu` (Lima's `pkg/limayaml/validate.go`), and
 * what the core needs to know of QEMU guests: small and import-free, so validating and
 * listing load no driver code.
 */
import type { DriverValidation } from "../../plugins/contract.ts";

export const qemuValidation: DriverValidation = {
  guestOSes: ["Windows"],
  // Lima accepts `mountType: default` with QEMU and lets the driver pick.
  extraMountTypes: ["default"],
  // QEMU's user-mode network carries the guest's DNS to the host agent's server (Lima's
  // `pkg/hostagent/hostagent.go` starts it; the boot scripts redirect port 53 to it).
  usesHostResolver: true,
};
