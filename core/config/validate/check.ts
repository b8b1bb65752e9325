/** The state every section validator shares: the config, the host and where problems go. */
import { logger } from "../../log.ts";
import type { LimaYAML } from "../schema.ts";
import type { DriverRules, DriverRulesTable } from "./driver_rules.ts";
import type { Problem } from "./problem.ts";

export interface ValidateOptions {
  /** Names the file in the error. */
  file?: string;
  /** The registered drivers (the names `vmType` may take) with their declared rules. */
  drivers: DriverRulesTable;
  /** Receives warnings (experimental features, missing mount directories); defaults to the logger. */
  warn?: (msg: string) => void;
  /** Networks of `_config/networks.yaml` by name → mode; `networks[i].lima` is checked against it when given. */
  networkModes?: Record<string, string>;
  /** The host OS (defaults to the running one). */
  hostOS?: typeof Deno.build.os;
}

/** One validation run over the filled config `y`. */
export interface Check {
  readonly y: LimaYAML;
  /** The guest OS, `Linux` when unset. */
  readonly os: string;
  /** The guest architecture, `""` when unset. */
  readonly arch: string;
  readonly hostOS: typeof Deno.build.os;
  readonly drivers: DriverRulesTable;
  /** The rules of the driver `vmType` names (none for an unset or unknown one). */
  readonly rules: DriverRules;
  readonly networkModes?: Record<string, string>;
  fail(path: string, message: string): void;
  warn(msg: string): void;
}

/** A check of Y that appends its problems to PROBLEMS. */
export function newCheck(
  y: LimaYAML,
  options: ValidateOptions,
  problems: Problem[],
): Check {
  return {
    y,
    os: y.os ?? "Linux",
    arch: y.arch ?? "",
    hostOS: options.hostOS ?? Deno.build.os,
    drivers: options.drivers,
    rules:
      (y.vmType != null && Object.hasOwn(options.drivers, y.vmType)
        ? options.drivers[y.vmType]
        : undefined) ?? {},
    networkModes: options.networkModes,
    fail: (path, message) => problems.push({ path, message }),
    warn: options.warn ?? ((msg) => logger.warn(msg)),
  };
}
