/** Which `vmType` values a configuration may name (Lima's driver names, plus installed drivers). */
import { driverNotInstalled } from "./not_installed.ts";
import { DriverStore, isModuleLocation } from "./store.ts";
import { DEFAULT_VM_TYPES } from "../core/config/validate/mod.ts";

/**
 * The built-in driver names, the names of third-party drivers installed under
 * `LIMA_HOME/_drivers`, and VMTYPE itself when it is the location of an installed driver.
 * A location that is not installed is refused here, so `validate`, `create` and `start`
 * all fail before anything is downloaded or run.
 */
export async function registeredVMTypes(
  limaHome: string,
  vmType?: string | null,
): Promise<string[]> {
  const store = new DriverStore(limaHome);
  const installed = (await store.records()).map((r) => r.name);
  if (!vmType || !isModuleLocation(vmType)) {
    return [...DEFAULT_VM_TYPES, ...installed];
  }
  if (!(await store.find(vmType))) throw driverNotInstalled(vmType);
  return [...DEFAULT_VM_TYPES, ...installed, vmType];
}
