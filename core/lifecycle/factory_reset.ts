/**
 * `limactl factory-reset` (Lima's `cmd/limactl/factory-reset.go`): back to a freshly created
 * instance. The configuration (`*.yaml`, `*.yml`), `lima-version`, `protected` and `vz-identifier`
 * are kept; the disk, cidata, logs and runtime files go.
 */
import { join } from "node:path";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { inspectInstance } from "../instance/instance.ts";
import { lockInstance } from "../store/lock.ts";
import { DEFAULT_INSTANCE, validateInstanceName } from "../store/names.ts";
import { InstanceFiles } from "../store/paths.ts";
import { stopForcibly } from "./stop_forcibly.ts";

const KEPT = new Set<string>([
  InstanceFiles.limaVersion,
  InstanceFiles.protected,
  "vz-identifier",
]);

/** Factory-resets instance NAME (default `default`); a missing instance is only reported. */
export async function factoryResetInstance(
  name = DEFAULT_INSTANCE,
): Promise<void> {
  validateInstanceName(name);
  await using _lock = await lockInstance(name);
  const inst = await inspectInstance(name);
  if (!inst) {
    logger.info(`Instance ${quote(name)} not found`);
    return;
  }
  if (inst.protected) {
    throw new LimaError({
      summary: "instance is protected to prohibit accidental factory-reset",
      hint: "use `limactl unprotect`",
    });
  }
  await stopForcibly(inst);
  for await (const entry of Deno.readDir(inst.dir)) {
    if (KEPT.has(entry.name) || /\.ya?ml$/.test(entry.name)) continue;
    const path = join(inst.dir, entry.name);
    logger.info(`Removing ${quote(path)}`);
    await Deno.remove(path, { recursive: true }).catch((err) =>
      logger.error(errorMessage(err))
    );
  }
  logger.info(`Instance ${quote(name)} has been factory reset`);
}
