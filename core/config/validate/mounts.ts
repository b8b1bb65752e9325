/** `mounts`: host directories and where the guest sees them. */
import { isAbsolute, posix } from "node:path";
import { quote } from "../../quote.ts";
import type { Check } from "./check.ts";
import { field } from "./messages.ts";
import { checkMountOptions } from "./mount_options.ts";

/** Guest paths that must not be mount points. */
const RESERVED_MOUNT_POINTS = [
  "/",
  "/bin",
  "/dev",
  "/etc",
  "/home",
  "/opt",
  "/sbin",
  "/tmp",
  "/usr",
  "/var",
];

export function checkMounts(c: Check): void {
  const seen = new Map<string, number>();
  c.y.mounts?.forEach((m, i) => {
    const path = `mounts[${i}]`;
    const location = m.location ?? "";
    checkLocation(c, path, location);
    const mountPoint = m.mountPoint ?? location;
    const mp = `${path}.mountPoint`;
    checkMountPoint(c, mp, mountPoint);
    const earlier = seen.get(mountPoint);
    if (earlier !== undefined) {
      c.fail(
        mp,
        `${field(mp)} value ${
          quote(mountPoint)
        } has already been used by field \`mounts[${earlier}].mountPoint\``,
      );
    } else seen.set(mountPoint, i);
    checkMountOptions(c, path, m);
  });
}

/** An absolute host path of a directory; a missing one is only warned about. */
function checkLocation(c: Check, path: string, location: string): void {
  const f = field(`${path}.location`);
  if (!isAbsolute(location)) {
    c.fail(
      `${path}.location`,
      `${f} must be an absolute path, got ${quote(location)}`,
    );
    return;
  }
  try {
    if (!Deno.statSync(location).isDirectory) {
      c.fail(
        `${path}.location`,
        `${f} refers to a non-directory path: ${quote(location)}`,
      );
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      c.warn(`${f} refers to a non-existent directory: ${quote(location)}`);
    } else {
      c.fail(
        `${path}.location`,
        `${f} refers to an inaccessible path: ${quote(location)}: ${
          (err as Error).message
        }`,
      );
    }
  }
}

/** An absolute guest path that is neither a system directory nor the internal home. */
function checkMountPoint(
  { y, hostOS, fail }: Check,
  mp: string,
  mountPoint: string,
): void {
  const home = y.user?.home;
  if (mountPoint.startsWith("~")) {
    fail(mp, `${field(mp)} must not start with \`~\``);
  } else if (hostOS !== "windows" && !posix.isAbsolute(mountPoint)) {
    fail(mp, `${field(mp)} must be an absolute path, got ${quote(mountPoint)}`);
  } else if (
    RESERVED_MOUNT_POINTS.includes(
      posix.normalize(mountPoint).replace(/(.)\/$/, "$1"),
    )
  ) {
    fail(
      mp,
      `${field(mp)} must not be a system path such as /etc or /usr, got ${
        quote(mountPoint)
      }`,
    );
  } else if (home && posix.normalize(mountPoint) === posix.normalize(home)) {
    fail(
      mp,
      `${field(mp)} is the reserved internal home directory ${quote(home)}`,
    );
  }
}
