/**
 * `limactl protect` / `unprotect` (Lima's `cmd/limactl/protect.go`, `unprotect.go`): the
 * `INSTDIR/protected` marker that blocks delete.
 */
import { join } from "node:path";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { hasConfigFile } from "../instance/instance.ts";
import { lockInstance } from "../store/lock.ts";
import { instanceNameProblem } from "../store/names.ts";
import { instanceDir, InstanceFiles } from "../store/paths.ts";
import { exists } from "../exists.ts";

/** The instance could not be found or read. */
class InspectError extends Error {}

function isProtected(dir: string): Promise<boolean> {
  return exists(join(dir, InstanceFiles.protected));
}

async function setProtection(name: string, wanted: boolean): Promise<void> {
  const problem = instanceNameProblem(name);
  if (problem) throw new InspectError(problem);
  await using _lock = await lockInstance(name);
  const dir = instanceDir(name);
  if (!(await hasConfigFile(dir))) {
    throw new InspectError(
      `open ${join(dir, InstanceFiles.limaYAML)}: no such file or directory`,
    );
  }
  const file = join(dir, InstanceFiles.protected);
  if (await isProtected(dir) === wanted) {
    logger.warn(
      wanted
        ? `Instance ${quote(name)} is already protected. Skipping.`
        : `Instance ${quote(name)} isn't protected. Skipping.`,
    );
    return;
  }
  if (wanted) {
    await Deno.writeFile(file, new Uint8Array(), {
      mode: 0o400,
      createNew: true,
    });
    logger.info(`Protected ${quote(name)}`);
  } else {
    await Deno.remove(file, { recursive: true });
    logger.info(`Unprotected ${quote(name)}`);
  }
}

async function setProtectionAll(
  names: string[],
  wanted: boolean,
): Promise<void> {
  const errors: string[] = [];
  for (const name of names) {
    try {
      await setProtection(name, wanted);
    } catch (err) {
      const verb = err instanceof InspectError
        ? "inspect"
        : wanted
        ? "protect"
        : "unprotect";
      errors.push(
        `failed to ${verb} instance ${quote(name)}: ${errorMessage(err)}`,
      );
    }
  }
  if (errors.length > 0) throw new LimaError({ summary: errors.join("\n") });
}

/** Protects each instance in NAMES from deletion; errors for unknown instances are reported together. */
export function protectInstances(names: string[]): Promise<void> {
  return setProtectionAll(names, true);
}

/** Removes the protection of each instance in NAMES. */
export function unprotectInstances(names: string[]): Promise<void> {
  return setProtectionAll(names, false);
}
