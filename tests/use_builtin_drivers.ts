/**
 * Imported for its effect by tests that load configurations in-process: registers the
 * built-in drivers' validation rules, as `main.ts` does at start-up.
 */
import { builtinDriverRules } from "../drivers/builtin_rules.ts";
import { useBuiltinDriverRules } from "../plugins/builtin_driver_rules.ts";

useBuiltinDriverRules(builtinDriverRules);
