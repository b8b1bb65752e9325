/** The permissions a third-party driver declares, what the user granted, and what its Worker gets. */
import {
  type DriverPermissions,
  PERMISSION_NAMES,
  type PermissionName,
} from "./contract.ts";
import { grantedPaths, type SandboxPaths } from "./sandbox.ts";

type Value = boolean | string[] | undefined;

function items(value: Value): string[] | "all" | "none" {
  if (value === true) return "all";
  if (!value || value.length === 0) return "none";
  return value;
}

/** Where `read` and `write` entries are shown as the absolute paths they name. */
export interface PathsOf {
  limaHome: string;
  driverName: string;
}

/**
 * One `name: items` entry per permission given; with WHERE, `read` and `write` list the
 * absolute paths they name (`grantedPaths`) instead of the manifest's entries.
 */
export function permissionEntries(
  permissions: DriverPermissions | undefined,
  where?: PathsOf,
): string[] {
  const parts: string[] = [];
  for (const name of PERMISSION_NAMES) {
    const v = items(permissions?.[name]);
    if (v === "none") continue;
    const shown = v !== "all" && where && (name === "read" || name === "write")
      ? grantedPaths(v, name, where.limaHome, where.driverName)
      : v;
    parts.push(`${name}: ${shown === "all" ? "all" : shown.join(", ")}`);
  }
  return parts;
}

/** `read: /a, /b; run: qemu-img` — or `none` (see `permissionEntries`). */
export function describePermissions(
  permissions: DriverPermissions | undefined,
  where?: PathsOf,
): string {
  const parts = permissionEntries(permissions, where);
  return parts.length ? parts.join("; ") : "none";
}

/** What `declared` asks for beyond `granted`, one `name: item` entry each (empty when covered). */
export function exceedingPermissions(
  declared: DriverPermissions | undefined,
  granted: DriverPermissions | undefined,
): string[] {
  const extra: string[] = [];
  for (const name of PERMISSION_NAMES) {
    const want = items(declared?.[name]);
    const have = items(granted?.[name]);
    if (want === "none" || have === "all") continue;
    if (want === "all") {
      extra.push(`${name}: all`);
      continue;
    }
    for (const item of want) {
      if (have === "none" || !have.includes(item)) {
        extra.push(`${name}: ${item}`);
      }
    }
  }
  return extra;
}

/**
 * The Deno Worker permission set: the declared ones, with `read`/`write` replaced by the
 * checked paths of `sandbox.ts` (none when absent), plus reading the module itself.
 */
export function workerPermissions(
  declared: DriverPermissions | undefined,
  moduleFile: string,
  paths: SandboxPaths = { read: false, write: false },
): Record<PermissionName | "ffi" | "import", boolean | string[]> {
  const get = (name: PermissionName): boolean | string[] => {
    const v = items(declared?.[name]);
    if (v === "all") return true;
    return v === "none" ? false : v;
  };
  return {
    read: [moduleFile, ...(paths.read || [])],
    write: paths.write,
    net: get("net"),
    env: get("env"),
    run: get("run"),
    sys: get("sys"),
    ffi: false,
    import: false,
  };
}
