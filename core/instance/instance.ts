/**
 * Reading an instance from `LIMA_HOME`: its configuration, status and the record that
 * `limactl list` prints (Lima's `pkg/store/instance.go`). Reading never starts anything: status
 * comes from PID files, and the host agent is asked over its socket only when its PID is alive.
 */
import type { LimaYAML } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { hostAgentInfo } from "../store/hostagent_info.ts";
import { loadConfigCached } from "./config_cache.ts";
import { validateInstanceName } from "../store/names.ts";
import {
  instanceDir,
  InstanceFiles,
  joinPath,
  limaHome,
} from "../store/paths.ts";
import { readPidFile } from "../store/pid_file.ts";
import { renderMessage } from "./message.ts";
import { applyConfig, emptyInstance, type Instance } from "./record.ts";
import { exists } from "../exists.ts";
import { driverFacts } from "../../plugins/driver_facts.ts";
import { ifFound, ifFoundSync } from "../if_found.ts";

/** Loads and validates an instance's filled configuration (throws on any problem). */
export type ConfigLoader = (
  options: { instDir: string; name: string; files?: ReadonlySet<string> },
) => Promise<LimaYAML>;

export interface InspectOptions {
  /** How the configuration is loaded; default: `_config` layers, defaults, validation (cached). */
  loadConfig?: ConfigLoader;
  /** How long to wait for each of the host agent's (at most two) answers; default 3 s. */
  hostAgentTimeoutMs?: number;
  /** The entries of the instance directory, when the caller has listed it already. */
  files?: ReadonlySet<string>;
}

/**
 * Names of the instances in `LIMA_HOME` (directories not starting with `.` or `_`), sorted.
 * File calls here and below are synchronous: `limactl list` makes a few per instance, on
 * small files, where an async call costs more than the I/O.
 */
export function instanceNames(): string[] {
  const entries = ifFoundSync(() => Array.from(Deno.readDirSync(limaHome())));
  return (entries ?? [])
    .filter((entry) => entry.isDirectory && !/^[._]/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** Whether `INSTDIR/lima.yaml` exists. */
export function hasConfigFile(instDir: string): Promise<boolean> {
  return exists(joinPath(instDir, InstanceFiles.limaYAML));
}

/** Whether the directory of instance NAME exists (with or without `lima.yaml`). */
export async function instanceDirExists(name: string): Promise<boolean> {
  return (await ifFound(Deno.stat(instanceDir(name))))?.isDirectory ?? false;
}

/** The entry names of instance directory DIR; undefined when it does not exist or is no directory. */
export function instanceDirEntries(dir: string): Set<string> | undefined {
  return ifFoundSync(
    () => new Set(Array.from(Deno.readDirSync(dir), (e) => e.name)),
    { notADirectory: true },
  );
}

/**
 * The record of a directory that exists but has no `lima.yaml` (mid-clone, mid-delete or
 * orphaned): listed as Broken rather than hidden.
 */
export function brokenInstance(name: string, error: string): Instance {
  const inst = emptyInstance(name, instanceDir(name));
  inst.status = "Broken";
  inst.errors.push(error);
  return inst;
}

/**
 * Inspects instance NAME. Returns undefined when its `lima.yaml` does not exist; every
 * other problem is reported in `errors` (and usually makes the status Broken).
 * Throws only for an invalid name.
 */
export async function inspectInstance(
  name: string,
  options: InspectOptions = {},
): Promise<Instance | undefined> {
  validateInstanceName(name);
  const dir = instanceDir(name);
  const inst = emptyInstance(name, dir);
  // One directory listing answers "does it exist" for every file below (missing files are the common case).
  const files = options.files ?? instanceDirEntries(dir);
  if (!files?.has(InstanceFiles.limaYAML)) return undefined;
  let y: LimaYAML;
  try {
    y = await (options.loadConfig ?? loadConfigCached)({
      instDir: dir,
      name,
      files,
    });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound && !(await hasConfigFile(dir))) {
      return undefined;
    }
    inst.status = "Broken";
    inst.errors.push(errorMessage(err));
    readProtectedAndVersion(inst, files);
    return inst;
  }
  applyConfig(inst, y, await driverFacts(y.vmType ?? ""));
  try {
    if (files.has(InstanceFiles.hostAgentPID)) {
      inst.hostAgentPID = readPidFile(
        joinPath(dir, InstanceFiles.hostAgentPID),
      );
    }
  } catch (err) {
    inst.status = "Broken";
    inst.errors.push(errorMessage(err));
  }
  if (inst.hostAgentPID !== 0) {
    const sock = joinPath(dir, InstanceFiles.hostAgentSock);
    try {
      const info = await hostAgentInfo(sock, {
        timeoutMs: options.hostAgentTimeoutMs,
      });
      if (info.sshLocalPort !== undefined) {
        inst.sshLocalPort = info.sshLocalPort;
      }
      inst.autoStartedIdentifier = info.autoStartedIdentifier ?? "";
    } catch (err) {
      inst.status = "Broken";
      inst.errors.push(
        `failed to get Info from ${quote(sock)}: ${errorMessage(err)}`,
      );
    }
  }
  if (inst.sshLocalPort === 0 && files.has(InstanceFiles.sshConfig)) {
    try {
      inst.sshLocalPort = sshPortFromConfig(inst.sshConfigFile);
    } catch (err) {
      inst.errors.push(
        `failed to extract SSH local port from ${quote(inst.sshConfigFile)}: ${
          errorMessage(err)
        }`,
      );
    }
  }
  readProtectedAndVersion(inst, files);
  statusFromPidFiles(inst, files);
  try {
    inst.message = await renderMessage(inst);
  } catch (err) {
    inst.errors.push(errorMessage(err));
    inst.status = "Broken";
  }
  return inst;
}

function readProtectedAndVersion(
  inst: Instance,
  files: ReadonlySet<string>,
): void {
  inst.protected = files.has(InstanceFiles.protected);
  if (!files.has(InstanceFiles.limaVersion)) return;
  const versionFile = joinPath(inst.dir, InstanceFiles.limaVersion);
  try {
    inst.limaVersion = Deno.readTextFileSync(versionFile).trim();
    if (!/^v?\d+\.\d+\.\d+/.test(inst.limaVersion)) {
      logger.warn(
        `treating lima version ${quote(inst.limaVersion)} from ${
          quote(versionFile)
        } as very latest release`,
      );
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      inst.errors.push(errorMessage(err));
    }
  }
}

/**
 * The status rule of Lima's `pkg/store/instance.go`: host agent and driver PIDs decide
 * Running/Stopped/Broken.
 */
function statusFromPidFiles(
  inst: Instance,
  files: ReadonlySet<string>,
): void {
  const driverPidFile = `${inst.vmType}.pid`;
  try {
    if (files.has(driverPidFile)) {
      inst.driverPID = readPidFile(joinPath(inst.dir, driverPidFile));
    }
  } catch (err) {
    inst.status = "Broken";
    inst.errors.push(errorMessage(err));
  }
  if (inst.status !== "") return;
  const ha = inst.hostAgentPID > 0;
  const driver = inst.driverPID > 0;
  if (ha && driver) {
    inst.status = "Running";
  } else if (!ha && !driver) {
    inst.status = "Stopped";
  } else if (ha) {
    inst.errors.push("host agent is running but driver is not");
    inst.status = "Broken";
  } else {
    inst.errors.push(`${inst.vmType} driver is running but host agent is not`);
    inst.status = "Broken";
  }
}

/** The `Port N` line of an `ssh.config`; 0 when the file does not exist. */
function sshPortFromConfig(path: string): number {
  const text = ifFoundSync(() => Deno.readTextFileSync(path));
  if (text === undefined) return 0;
  for (const line of text.split("\n")) {
    const m = /^Port (.*)$/.exec(line.trim());
    if (m) {
      const port = Number(m[1]);
      if (!Number.isInteger(port)) {
        throw new Error(`invalid port ${JSON.stringify(m[1])}`);
      }
      return port;
    }
  }
  throw new Error(`port not found in ${quote(path)}`);
}
