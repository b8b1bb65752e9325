/**
 * What `limactl validate` checks for `vmType: vz` (Lima's `pkg/limayaml/validate.go`):
 * small and import-free, so validating loads no driver code.
 */
import type { DriverValidation } from "../../plugins/contract.ts";

export const vzValidation: DriverValidation = {
  guestOSes: ["Darwin"],
  networks: ["vzNAT"],
};
