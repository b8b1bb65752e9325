/**
 * What `limactl validate` checks for `vmType: wsl2` (Lima's `pkg/limayaml/validate.go`):
 * small and import-free, so validating loads no driver code.
 */
import type { DriverValidation } from "../../plugins/contract.ts";

export const wsl2Validation: DriverValidation = {
  requiresPasswordlessSudo: true,
  guestLabel: "WSL2",
};
