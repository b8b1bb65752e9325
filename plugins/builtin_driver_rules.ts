/**
 * The built-in drivers' validation rules, handed over once at start-up by the entry point
 * (the core and `plugins/` never name a driver). A table, not the modules, so validating
 * and listing instances load no driver.
 */
import type { DriverRulesTable } from "../core/config/validate/mod.ts";

let builtin: DriverRulesTable | undefined;

/** Sets the built-in drivers by `vmType`, with the rules their manifests declare. */
export function useBuiltinDriverRules(table: DriverRulesTable): void {
  builtin = table;
}

/** The table given to `useBuiltinDriverRules`; fails loudly when start-up did not give one. */
export function builtinDriverRules(): DriverRulesTable {
  if (!builtin) {
    throw new Error(
      "no built-in driver rules: call useBuiltinDriverRules at start-up",
    );
  }
  return builtin;
}
