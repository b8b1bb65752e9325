/**
 * Forced stop (Lima's `StopForcibly`, `pkg/instance/stop.go`): kill the driver and host agent,
 * release disks, remove temporary files.
 */
import { join } from "node:path";
import { errorMessage } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { additionalDiskNames, releaseDisks } from "../instance/disk_lock.ts";
import type { Instance } from "../instance/record.ts";

/** Suffixes of files that only make sense while an instance runs. */
export const TEMPORARY_SUFFIXES = [".pid", ".sock", ".tmp"];

function kill(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) logger.error(errorMessage(err));
  }
}

/**
 * Kills whatever runs for INST, unlocks its disks and removes its `*.pid`, `*.sock`, `*.tmp`
 * files.
 */
export async function stopForcibly(inst: Instance): Promise<void> {
  if (inst.driverPID > 0) {
    logger.info(
      `Sending SIGKILL to the ${inst.vmType} driver process ${inst.driverPID}`,
    );
    kill(inst.driverPID);
  } else {
    logger.info(`The ${inst.vmType} driver process seems already stopped`);
  }
  await releaseDisks(additionalDiskNames(inst.additionalDisks), inst.dir);
  if (inst.hostAgentPID > 0) {
    logger.info(
      `Sending SIGKILL to the host agent process ${inst.hostAgentPID}`,
    );
    kill(inst.hostAgentPID);
  } else {
    logger.info("The host agent process seems already stopped");
  }
  logger.info(
    `Removing ${TEMPORARY_SUFFIXES.map((s) => `*${s}`).join(" ")} under ${
      quote(inst.dir)
    }`,
  );
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(inst.dir));
  } catch (err) {
    logger.error(errorMessage(err));
    return;
  }
  for (const entry of entries) {
    if (!TEMPORARY_SUFFIXES.some((s) => entry.name.endsWith(s))) continue;
    const path = join(inst.dir, entry.name);
    logger.info(`Removing ${quote(path)}`);
    await Deno.remove(path, { recursive: true }).catch((err) => {
      if (err instanceof Deno.errors.NotFound) logger.debug(errorMessage(err));
      else logger.error(errorMessage(err));
    });
  }
}
