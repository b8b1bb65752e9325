/**
 * Imported for its effect by tests that load configurations in-process: registers the
 * built-in drivers' facts (validation rules, default `vmType`), as `main.ts` does at start-up.
 */
import { builtinDriverRules } from "../drivers/builtin_rules.ts";
import { builtinDefaultVMType } from "../drivers/default_vm_type.ts";
import { useBuiltinDrivers } from "../plugins/builtin_driver_facts.ts";

useBuiltinDrivers({
  rules: builtinDriverRules,
  defaultVMType: builtinDefaultVMType,
});
