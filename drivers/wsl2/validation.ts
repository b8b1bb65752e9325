/**
 * What `limactl validate` checks for `vmType: wsl2` (Lima's `pkg/limayaml/validate.go`), and
 * what the core needs to know of WSL2 guests: small and import-free, so validating and
 * listing load no driver code.
 */
import type { DriverValidation } from "../../plugins/contract.ts";

export const wsl2Validation: DriverValidation = {
  requiresPasswordlessSudo: true,
  guestLabel: "WSL2",
  // WSL2 sizes its VM itself; Lima's `pkg/store/instance.go` lists the values as 0.
  fixedResources: true,
  // WSL2 guests see the host's drives, mounted or not.
  guestSeesHostFiles: true,
};
