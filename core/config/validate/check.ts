/** The state every section validator shares: the config, the host and where problems go. */
import { logger } from "../../log.ts";
import type { LimaYAML } from "../schema.ts";
import type { Problem } from "./problem.ts";

export interface ValidateOptions {
  /** Names the file in the error. */
  file?: string;
  /** Registered driver names; default `qemu`, `vz`, `wsl2`, `netbsd-qemu`. */
  vmTypes?: string[];
  /** Receives warnings (experimental features, missing mount directories); defaults to the logger. */
  warn?: (msg: string) => void;
  /** Networks of `_config/networks.yaml` by name → mode; `networks[i].lima` is checked against it when given. */
  networkModes?: Record<string, string>;
  /** The host OS (defaults to the running one). */
  hostOS?: typeof Deno.build.os;
}

export const DEFAULT_VM_TYPES = ["qemu", "vz", "wsl2", "netbsd-qemu"];

/** One validation run over the filled config `y`. */
export interface Check {
  readonly y: LimaYAML;
  /** The guest OS, `Linux` when unset. */
  readonly os: string;
  /** The guest architecture, `""` when unset. */
  readonly arch: string;
  readonly hostOS: typeof Deno.build.os;
  readonly vmTypes: readonly string[];
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
    vmTypes: options.vmTypes ?? DEFAULT_VM_TYPES,
    networkModes: options.networkModes,
    fail: (path, message) => problems.push({ path, message }),
    warn: options.warn ?? ((msg) => logger.warn(msg)),
  };
}
