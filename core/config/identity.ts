/**
 * Names derived from an instance that the host, the drivers and the guest must agree on
 * (Lima's `pkg/instance/hostname/hostname.go`; `MACAddress`, `MountTag` in
 * `pkg/limayaml/defaults.go`).
 */
import { createHash } from "node:crypto";
import { machineID } from "./host.ts";

/** `52:55:55:` + 3 bytes of sha256(machine ID + ID): stable per host and per ID (INSTDIR for NIC 0). */
export function macAddress(
  uniqueID: string,
  seed: string = machineID(),
): string {
  const sum = createHash("sha256").update(seed + uniqueID).digest();
  return [
    "52",
    "55",
    "55",
    ...[0, 1, 2].map((i) => sum[i].toString(16).padStart(2, "0")),
  ].join(":");
}

/**
 * NIC 0's MAC address, the one the seed, the driver and the user-v2 network's lease lookup must
 * agree on (Lima's `limayaml.MACAddress(inst.Dir)`), whether NIC 0 is QEMU's user-mode network
 * or a user-v2 network.
 */
export function nic0MacAddress(
  instDir: string,
  seed: string = machineID(),
): string {
  return macAddress(instDir, seed);
}

/** `lima-` + hex of the first 8 bytes of sha256(`location:mountPoint`): the 9p/virtiofs tag. */
export function mountTag(location: string, mountPoint: string): string {
  return "lima-" +
    createHash("sha256").update(`${location}:${mountPoint}`).digest("hex")
      .slice(0, 16);
}
