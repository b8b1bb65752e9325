/** The record of an instance that `limactl list` prints, and the fields its configuration fills. */
import type { LimaYAML } from "../config/schema.ts";
import type { DriverRules } from "../config/validate/mod.ts";
import { parseSize } from "../config/units.ts";
import { hostnameOf } from "../store/names.ts";
import { InstanceFiles, joinPath } from "../store/paths.ts";

export type Status =
  | ""
  | "Running"
  | "Stopped"
  | "Broken"
  | "Uninitialized"
  | "Installing";

/** An inspected instance; keys and their order are those of `limactl list --json` (before `HostOS`…). */
export interface Instance {
  name: string;
  hostname: string;
  status: Status;
  dir: string;
  vmType: string;
  arch: string;
  cpus: number;
  /** Bytes. */
  memory: number;
  /** Bytes. */
  disk: number;
  message: string;
  additionalDisks: unknown[];
  networks: unknown[];
  sshLocalPort: number;
  sshConfigFile: string;
  hostAgentPID: number;
  driverPID: number;
  errors: string[];
  /** The filled configuration; absent when it could not be loaded. */
  config?: LimaYAML;
  sshAddress: string;
  protected: boolean;
  limaVersion: string;
  param: Record<string, string>;
  autoStartedIdentifier: string;
}

/** The record of instance NAME in DIR before anything is read. */
export function emptyInstance(name: string, dir: string): Instance {
  return {
    name,
    hostname: hostnameOf(name),
    status: "",
    dir,
    vmType: "",
    arch: "",
    cpus: 0,
    memory: 0,
    disk: 0,
    message: "",
    additionalDisks: [],
    networks: [],
    sshLocalPort: 0,
    sshConfigFile: "",
    hostAgentPID: 0,
    driverPID: 0,
    errors: [],
    sshAddress: "",
    protected: false,
    limaVersion: "",
    param: {},
    autoStartedIdentifier: "",
  };
}

/**
 * Fills the record's fields that come from the configuration Y, whose driver declares the
 * facts DRIVER.
 */
export function applyConfig(
  inst: Instance,
  y: LimaYAML,
  driver: DriverRules,
): void {
  inst.config = y;
  inst.arch = y.arch ?? "";
  inst.vmType = y.vmType ?? "";
  inst.sshAddress = "127.0.0.1";
  inst.sshLocalPort = y.ssh?.localPort ?? 0;
  inst.sshConfigFile = joinPath(inst.dir, InstanceFiles.sshConfig);
  inst.cpus = y.cpus ?? 0;
  inst.memory = sizeOrZero(y.memory);
  inst.disk = sizeOrZero(y.disk);
  inst.additionalDisks = y.additionalDisks ?? [];
  inst.networks = y.networks ?? [];
  if (driver.fixedResources) {
    // The driver sizes its guests itself (Lima's `pkg/store/instance.go`, for WSL2).
    inst.cpus = 0;
    inst.memory = 0;
    inst.disk = 0;
  }
  inst.param = y.param ?? {};
}

function sizeOrZero(size: string | null | undefined): number {
  if (!size) return 0;
  try {
    return parseSize(size);
  } catch {
    return 0;
  }
}
