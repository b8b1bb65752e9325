/**
 * Where a user-v2 network's daemon keeps its files (Lima's `pkg/networks/usernet/config.go`):
 * `LIMA_HOME/_networks/<name>/` with `<name>_qemu.sock` (QEMU connects here), `<name>_ep.sock`
 * (gvisor-tap-vsock's HTTP API), `usernet_<name>.pid`, `leases.json` and the two logs. Lima's
 * `<name>_fd.sock` (file-descriptor passing for vz) is not made: no driver on this host uses it.
 * `gvproxy.yaml`, `gvproxy.pid` and `<name>_gvproxy.sock` belong to the gvproxy child.
 */
import { LimaError } from "../../errors.ts";
import { quote } from "../../quote.ts";
import { joinPath, limaHome } from "../../store/paths.ts";

/** `sun_path` holds 108 bytes on Linux, including the terminating NUL. */
export const UNIX_PATH_MAX = 108;

export interface UsernetPaths {
  dir: string;
  qemuSocket: string;
  endpointSocket: string;
  pidFile: string;
  leases: string;
  stdoutLog: string;
  stderrLog: string;
}

/** `LIMA_HOME/_networks`. */
export function networksDir(home: string = limaHome()): string {
  return joinPath(home, "_networks");
}

/** Throws when PATH cannot be bound as a UNIX socket. */
export function checkSocketPath(path: string): string {
  const length = new TextEncoder().encode(path).length;
  if (length >= UNIX_PATH_MAX) {
    throw new LimaError({
      summary: `usernet socket path ${
        quote(path)
      } too long: must be less than UNIX_PATH_MAX=${UNIX_PATH_MAX} characters, but is ${length}`,
      hint: "use a shorter LIMA_HOME or network name",
    });
  }
  return path;
}

/** The files of user-v2 network NAME; throws when a socket path is too long. */
export function usernetPaths(
  name: string,
  home: string = limaHome(),
): UsernetPaths {
  const dir = joinPath(networksDir(home), name);
  return {
    dir,
    qemuSocket: checkSocketPath(joinPath(dir, `${name}_qemu.sock`)),
    endpointSocket: checkSocketPath(joinPath(dir, `${name}_ep.sock`)),
    pidFile: joinPath(dir, `usernet_${name}.pid`),
    leases: joinPath(dir, "leases.json"),
    stdoutLog: joinPath(dir, `usernet.${name}.stdout.log`),
    stderrLog: joinPath(dir, `usernet.${name}.stderr.log`),
  };
}
