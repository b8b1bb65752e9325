/**
 * The built-in drivers, by vmType. Each entry is an `import()` of a static specifier, so
 * `deno compile` embeds the module but nothing is loaded until that vmType is used. The CLI
 * hands this map to the core's `DriverRegistry`; the core never names a driver itself.
 */
import { limaHome } from "../core/store/paths.ts";
import {
  type BuiltinDrivers,
  type DriverListing,
  DriverRegistry,
  type RegistryOptions,
} from "../plugins/registry.ts";

export const builtinDrivers: BuiltinDrivers = {
  // On NetBSD, `vmType: qemu` is QEMU with NVMM and pkgsrc paths.
  qemu: Deno.build.os === "netbsd"
    ? () => import("./netbsd-qemu/mod.ts")
    : () => import("./qemu/mod.ts"),
  vz: () => import("./vz/mod.ts"),
  wsl2: () => import("./wsl2/mod.ts"),
  "netbsd-qemu": () => import("./netbsd-qemu/mod.ts"),
};

/** A registry of the built-in drivers plus those installed under `LIMA_HOME/_drivers`. */
export function driverRegistry(
  options: Partial<RegistryOptions> = {},
): DriverRegistry {
  return new DriverRegistry({
    builtin: builtinDrivers,
    limaHome: limaHome(),
    ...options,
  });
}

/** Every driver and where it comes from (`internal`, or a path or URL), for `limactl info`. */
export function listDrivers(): Promise<DriverListing[]> {
  return driverRegistry().list();
}
