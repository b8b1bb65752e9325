/**
 * What the core needs to know about the built-in drivers without loading them, handed over
 * once at start-up by the entry point (the core and `plugins/` never name a driver).
 */
import type { DefaultVMType } from "../core/config/fill.ts";
import type { DriverRulesTable } from "../core/config/validate/mod.ts";

export interface BuiltinDriverFacts {
  /** The built-in drivers by `vmType`, with the validation rules their manifests declare. */
  rules: DriverRulesTable;
  /** The `vmType` of a configuration that sets none. */
  defaultVMType: DefaultVMType;
}

let builtin: BuiltinDriverFacts | undefined;

export function useBuiltinDrivers(facts: BuiltinDriverFacts): void {
  builtin = facts;
}

/** The facts given to `useBuiltinDrivers`; fails loudly when start-up did not give them. */
export function builtinDrivers(): BuiltinDriverFacts {
  if (!builtin) {
    throw new Error(
      "no built-in driver facts: call useBuiltinDrivers at start-up",
    );
  }
  return builtin;
}
