/**
 * Lima's `info().features` (`pkg/driver/driver.go`) derived from the manifest's capabilities,
 * so a driver states each of them once; DIFFERENCES holds what the capabilities do not say
 * (Rosetta, WSL2's fixed SSH port) or what depends on the instance.
 */
import type { DriverCapabilities, DriverInfo } from "./contract.ts";

export function driverFeatures(
  capabilities: DriverCapabilities,
  differences: Partial<DriverInfo["features"]> = {},
): DriverInfo["features"] {
  return {
    canRunGui: capabilities.gui,
    dynamicSSHAddress: capabilities.dynamicSSHAddress,
    staticSSHPort: false,
    skipSocketForwarding: false,
    noCloudInit: capabilities.noCloudInit,
    rosettaEnabled: false,
    rosettaBinFmt: false,
    supportedImageFormats: capabilities.imageFormats,
    ...differences,
  };
}
