/**
 * The built-in drivers' validation rules by `vmType`, read from small files beside each
 * driver so that validating and listing instances load no driver module. The rules follow
 * the name, not the host: `vmType: qemu` validates alike where netbsd-qemu serves it.
 */
import type { DriverRulesTable } from "../core/config/validate/mod.ts";
import { qemuValidation } from "./qemu/validation.ts";
import { vzValidation } from "./vz/validation.ts";
import { wsl2Validation } from "./wsl2/validation.ts";

export const builtinDriverRules: DriverRulesTable = {
  qemu: qemuValidation,
  vz: vzValidation,
  wsl2: wsl2Validation,
  "netbsd-qemu": {},
};
