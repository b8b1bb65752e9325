/** Which `vmType` values a configuration may name (spec §9.2, plus drivers installed by URL or path). */
import { DriverStore, isModuleLocation } from "../../plugins/store.ts";
import { DEFAULT_VM_TYPES } from "./validate.ts";

/**
 * The built-in driver names, the names of third-party drivers installed under
 * `LIMA_HOME/_drivers`, and VMTYPE itself when it is a module URL or path (such a
 * driver is installed when the instance starts).
 */
export async function registeredVMTypes(
  limaHome: string,
  vmType?: string | null,
): Promise<string[]> {
  const installed = (await new DriverStore(limaHome).records()).map((r) =>
    r.name
  );
  const location = vmType && isModuleLocation(vmType) ? [vmType] : [];
  return [...DEFAULT_VM_TYPES, ...installed, ...location];
}
