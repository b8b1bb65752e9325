/**
 * The declared facts of the driver serving a `vmType`, for what the core does besides
 * validating: listing, `limactl shell`, the seed and the host agent. A built-in driver's come
 * from start-up; an installed driver's from its `drivers.json` record, whose reader is loaded
 * only then, so listing instances of built-in drivers loads no driver module nor install code.
 */
import type { DriverRules } from "../core/config/validate/mod.ts";
import { limaHome } from "../core/store/paths.ts";
import { builtinDrivers } from "./builtin_driver_facts.ts";

/**
 * The facts declared for VMTYPE (a driver name or an installed driver's location); none for a
 * driver that is not installed, which validation refuses before anything depends on them.
 */
export async function driverFacts(vmType: string): Promise<DriverRules> {
  const builtin = builtinDrivers().rules;
  if (Object.hasOwn(builtin, vmType)) return builtin[vmType];
  const { DriverStore } = await import("./installed_drivers.ts");
  const record = await new DriverStore(limaHome()).find(vmType);
  return record?.validation ?? {};
}
