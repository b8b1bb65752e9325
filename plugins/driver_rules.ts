/** Which `vmType` values a configuration may name, and the rules each driver declares. */
import type {
  DriverRules,
  DriverRulesTable,
} from "../core/config/validate/mod.ts";
import { builtinDrivers } from "./builtin_driver_facts.ts";
import { driverNotInstalled } from "./not_installed.ts";
import {
  DriverStore,
  isInstallableLocation,
  isModuleLocation,
} from "./installed_drivers.ts";

/**
 * The built-in drivers, the third-party drivers installed under `LIMA_HOME/_drivers`, and
 * VMTYPE itself when it is the location of an installed driver, each with the validation
 * rules of its manifest. A location that is not installed is refused here, so `validate`,
 * `create` and `start` all fail before anything is downloaded or run.
 */
export async function registeredDriverRules(
  limaHome: string,
  vmType?: string | null,
): Promise<DriverRulesTable> {
  const store = new DriverStore(limaHome);
  const installed = Object.fromEntries(
    (await store.records()).map((r) => [r.name, r.validation ?? {}]),
  );
  const table = { ...builtinDrivers().rules, ...installed };
  if (!vmType || !isModuleLocation(vmType)) return table;
  const record = await store.find(vmType);
  if (!record) {
    throw driverNotInstalled(vmType, isInstallableLocation(vmType));
  }
  const rules: DriverRules = record.validation ?? {};
  return { ...table, [vmType]: rules };
}
