/**
 * Where socket_vmnet is installed, for the default networks.yaml (Lima's
 * `pkg/networks/config.go`, `defaultConfigBytes`): the first candidate found, symlinks resolved.
 */
import { lookPath } from "../look_path.ts";

/** Lima's candidates, in its order; the first is also the fallback. */
export const SOCKET_VMNET_CANDIDATES = [
  // The hard-coded path before socket_vmnet v0.14.
  "/opt/socket_vmnet/bin/socket_vmnet",
  "socket_vmnet",
  // Homebrew on Intel, then on Apple silicon.
  "/usr/local/opt/socket_vmnet/bin/socket_vmnet",
  "/opt/homebrew/opt/socket_vmnet/bin/socket_vmnet",
] as const;

/** The socket_vmnet path to write into a new networks.yaml. */
export function findSocketVMNet(
  find: (name: string) => string | undefined = lookPath,
  realPath: (path: string) => string = Deno.realPathSync,
): string {
  for (const candidate of SOCKET_VMNET_CANDIDATES) {
    const found = find(candidate);
    if (found) return realPath(found);
  }
  return SOCKET_VMNET_CANDIDATES[0];
}
