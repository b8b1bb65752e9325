/**
 * Starting and stopping an instance through its autostart entry, as Lima's `pkg/instance/start.go`
 * and `pkg/instance/stop.go` do (`autostart.RequestStart`, `autostart.RequestStop`): a registered
 * instance is started by the service manager (which runs the entry's
 * `limactl start NAME --foreground`), and one whose host agent that entry started is stopped by
 * it, so the service manager keeps track of it. Where the service manager cannot be asked (no
 * systemd, `systemctl --user` failing), the caller starts or stops the host agent itself.
 */
import { errorMessage } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { type AutostartHost, systemHost } from "./host.ts";
import {
  type AutostartInstance,
  autostartManager,
  AutostartNotSupportedError,
  wrapError,
} from "./manager.ts";

/** Whether INST has an autostart entry; false where autostart is not supported. */
async function isRegistered(
  host: AutostartHost,
  inst: AutostartInstance,
): Promise<boolean> {
  try {
    return await autostartManager(host).isRegistered(inst);
  } catch (err) {
    if (err instanceof AutostartNotSupportedError) return false;
    throw wrapError("failed to check autostart registration", err);
  }
}

/**
 * Has the service manager start INST when it is registered for autostart; true when it did, and
 * the host agent it runs is on its way. `--foreground` (FOREGROUND) always starts directly: that
 * is how the entry itself runs.
 */
export async function requestStart(
  inst: AutostartInstance,
  o: { foreground?: boolean; host?: AutostartHost } = {},
): Promise<boolean> {
  const host = o.host ?? systemHost();
  if (!(await isRegistered(host, inst))) return false;
  if (o.foreground) {
    logger.warn(
      "The instance is registered to start at login, but the --foreground option was given, so starting the instance directly",
    );
    return false;
  }
  try {
    await autostartManager(host).requestStart(inst);
    return true;
  } catch (err) {
    logger.warn(
      `Failed to request start via autostart manager, starting the instance ${
        quote(inst.name)
      } directly`,
      { error: errorMessage(err) },
    );
    return false;
  }
}

/**
 * Has the service manager stop INST when its entry started the host agent (which reported so as
 * IDENTIFIER); true when it did. False when something else started it, or the service manager
 * could not be asked: then the caller signals the host agent.
 */
export async function requestStop(
  inst: AutostartInstance,
  identifier: string,
  o: { host?: AutostartHost } = {},
): Promise<boolean> {
  if (!identifier) return false;
  try {
    return await autostartManager(o.host ?? systemHost()).requestStop(
      inst,
      identifier,
    );
  } catch (err) {
    if (err instanceof AutostartNotSupportedError) return false;
    logger.warn(
      `Failed to request stop via autostart manager, stopping the instance ${
        quote(inst.name)
      } directly`,
      { error: errorMessage(err) },
    );
    return false;
  }
}
