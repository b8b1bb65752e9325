/**
 * `limactl delete` (Lima's `pkg/instance/delete.go`): remove instances, refusing protected or
 * running ones.
 */
import { unregisterDeleted } from "../autostart/commands.ts";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { inspectInstance, instanceDirExists } from "../instance/instance.ts";
import { reconcileNetworks } from "../network/reconcile.ts";
import { selfCommand } from "../hostagent/spawn.ts";
import type { Instance } from "../instance/record.ts";
import { lockInstance } from "../store/lock.ts";
import { validateInstanceName } from "../store/names.ts";
import { instanceDir, InstanceFiles, limaHome } from "../store/paths.ts";
import { removeStaleTemporaries, temporaryPath } from "../store/temporary.ts";
import { stopForcibly } from "./stop_forcibly.ts";

export interface DeleteOptions {
  /** Delete even when not stopped (after killing its processes). */
  force?: boolean;
}

/** A directory in `LIMA_HOME` without `lima.yaml`: maybe being cloned into, so never removed. */
export class IncompleteInstanceError extends LimaError {}

/** Checks that INST may be deleted; throws the reason otherwise. */
export function checkDeletable(
  inst: Instance,
  options: DeleteOptions = {},
): void {
  if (inst.protected) {
    throw new LimaError({
      summary: "instance is protected to prohibit accidental removal",
      hint: "use `limactl unprotect`",
    });
  }
  if (!options.force && inst.status !== "Stopped") {
    throw new LimaError({
      summary: `expected status ${quote("Stopped")}, got ${quote(inst.status)}`,
    });
  }
}

/**
 * Removes the directory DIR so that readers see it either whole or gone: it is first
 * renamed to a hidden temporary name in `LIMA_HOME` (a later sweep finishes the job if this
 * process is killed), then deleted. A symlink is moved and removed as a link.
 */
async function removeInstanceDir(name: string, dir: string): Promise<void> {
  const trash = temporaryPath(limaHome(), `${name}.deleted`);
  await Deno.rename(dir, trash);
  // A reader that was writing its cache file into the directory as it moved can make one pass fail.
  for (let attempt = 1;; attempt++) {
    try {
      await Deno.remove(trash, { recursive: true });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/**
 * Deletes instance NAME while holding its lock. Returns false (after a warning) when it does not
 * exist; throws when it may not be deleted or is a directory without `lima.yaml`.
 */
export async function deleteInstance(
  name: string,
  options: DeleteOptions = {},
): Promise<boolean> {
  validateInstanceName(name);
  await using _lock = await lockInstance(name);
  const inst = await inspectInstance(name);
  const dir = instanceDir(name);
  if (!inst) {
    if (!(await instanceDirExists(name))) {
      logger.warn(`Ignoring non-existent instance ${quote(name)}`);
      return false;
    }
    throw new IncompleteInstanceError({
      summary: `instance ${quote(name)} directory ${
        quote(dir)
      } exists but its ${
        quote(InstanceFiles.limaYAML)
      } could not be read; it was NOT deleted, in case it is currently being cloned into. If no \`limactl\` operation is using it, remove it manually`,
    });
  }
  try {
    checkDeletable(inst, options);
    // A symlinked instance's processes, disk locks and files belong to the link's target,
    // which stays as it is: only the link goes.
    if (!(await Deno.lstat(inst.dir)).isSymlink) await stopForcibly(inst);
    await removeStaleTemporaries(limaHome());
    await removeInstanceDir(name, inst.dir);
  } catch (err) {
    const diagnostic = err instanceof LimaError ? err.diagnostic : undefined;
    throw new LimaError({
      summary: `failed to delete instance ${quote(name)}`,
      detail: diagnostic ? diagnostic.summary : errorMessage(err),
      hint: diagnostic?.hint,
    }, { cause: err });
  }
  // As in Lima, the instance's autostart entry (if any) goes with it.
  await unregisterDeleted(inst);
  logger.info(`Deleted ${quote(name)} (${quote(inst.dir)})`);
  return true;
}

/**
 * `limactl delete NAME...`: deletes each instance in turn. A directory without `lima.yaml`
 * is reported and skipped; any other failure stops at that instance.
 */
export async function deleteInstances(
  names: string[],
  options: DeleteOptions = {},
): Promise<void> {
  const skipped: string[] = [];
  for (const name of names) {
    try {
      await deleteInstance(name, options);
    } catch (err) {
      if (err instanceof IncompleteInstanceError) {
        skipped.push(err.message);
        continue;
      }
      throw err;
    }
  }
  // A deleted instance's networks may be used by no one now, as in Lima's `limactl delete`.
  try {
    await reconcileNetworks(undefined, { self: selfCommand() });
  } catch (err) {
    skipped.push(errorMessage(err));
  }
  if (skipped.length > 0) throw new LimaError({ summary: skipped.join("\n") });
}
