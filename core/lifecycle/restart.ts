/**
 * `limactl restart` (Lima's `pkg/instance/restart.go`): stop (gracefully, tolerating "not
 * running", or by force), then start.
 */
import type { EditFlags } from "../config/edit_flags.ts";
import { logger } from "../log.ts";
import { applyEditFlags, startInstance, type StartOptions } from "./start.ts";
import {
  NotRunningError,
  stopGracefully,
  stopInstanceForcibly,
} from "./stop.ts";

export interface RestartOptions extends StartOptions {
  force?: boolean;
  /** Edit flags applied to lima.yaml while the instance is stopped. */
  flags?: EditFlags;
}

/** Restarts instance NAME and waits until it is ready again. */
export async function restartInstance(
  name: string,
  o: RestartOptions,
): Promise<void> {
  if (o.force) {
    await stopInstanceForcibly(name);
  } else {
    try {
      await stopGracefully(name);
    } catch (err) {
      if (!(err instanceof NotRunningError)) throw err;
      logger.info(err.message);
    }
  }
  if (o.flags) await applyEditFlags(name, o.flags);
  await startInstance(name, o);
}
