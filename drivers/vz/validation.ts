/**
 * What `limactl validate` checks for `vmType: vz` (Lima's `pkg/limayaml/validate.go`), and
 * what the core needs to know of vz guests: small and import-free, so validating and
 * listing load no driver code.
 */
import type { DriverValidation } from "../../plugins/contract.ts";

export const vzValidation: DriverValidation = {
  guestOSes: ["Darwin"],
  networks: ["vzNAT"],
  // vz's user-mode network answers DNS at its gateway (Lima's `pkg/cidata/cidata.go`).
  dnsAtGateway: true,
};
