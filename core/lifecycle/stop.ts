/**
 * `limactl stop` (Lima's `pkg/instance/stop.go`): a graceful stop asks the host agent to shut down
 * (SIGINT, or through the service manager when its autostart entry started it), waits for its
 * `exiting` event and then for the instance to be `Stopped`; a forced stop kills the processes and
 * removes their files.
 */
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { inspectInstance } from "../instance/instance.ts";
import type { Instance } from "../instance/record.ts";
import { lockInstance } from "../store/lock.ts";
import { validateInstanceName } from "../store/names.ts";
import { isProcessAlive } from "../store/pid_file.ts";
import { stopForcibly } from "./stop_forcibly.ts";
import { formatStatus, watchHostAgentEvents } from "./watch_events.ts";
import { sleep } from "../sleep.ts";
import { reconcileNetworks } from "../network/reconcile.ts";
import { selfCommand } from "../hostagent/spawn.ts";
import { requestStop } from "../autostart/request.ts";

export interface StopOptions {
  force?: boolean;
  /** The program to run as `limactl` for network daemons (default: this one). */
  self?: string[];
  /** How long to wait for the `exiting` event; default 3 min 10 s. */
  exitingTimeoutMs?: number;
  /** How long to wait for `Stopped` after it; default 3 min. */
  stoppedTimeoutMs?: number;
}

async function inspectExisting(name: string): Promise<Instance> {
  validateInstanceName(name);
  const inst = await inspectInstance(name);
  if (!inst) {
    throw new LimaError({ summary: `instance ${quote(name)} does not exist` });
  }
  return inst;
}

/** Thrown when a graceful stop finds the instance not running (restart tolerates it). */
export class NotRunningError extends LimaError {}

/** Stops the running instance NAME through its host agent and waits until it is `Stopped`. */
export async function stopGracefully(
  name: string,
  o: StopOptions = {},
): Promise<void> {
  const inst = await inspectExisting(name);
  if (inst.status !== "Running") {
    throw new NotRunningError({
      summary: `expected status ${quote("Running")}, got ${
        quote(inst.status)
      } (maybe use \`limactl stop -f\`?)`,
    });
  }
  const since = new Date();
  if (!(await requestStop(inst, inst.autoStartedIdentifier))) {
    interruptHostAgent(inst.hostAgentPID);
  }
  logger.info(
    "Waiting for the host agent and the driver processes to shut down",
  );
  let exiting = false;
  const watching = new AbortController();
  const outcome = await watchHostAgentEvents({
    instDir: inst.dir,
    since,
    timeoutMs: o.exitingTimeoutMs ?? 190_000,
    hostAgentExited: processGone(inst.hostAgentPID, watching.signal),
    onEvent: (event) => {
      for (const e of event.status.errors ?? []) logger.error(e);
      if (event.status.exiting) {
        logger.debug(`received exiting, status=${formatStatus(event.status)}`);
        exiting = true;
      }
      return exiting;
    },
  }).finally(() => watching.abort());
  if (!exiting && outcome === "timeout") {
    throw new LimaError({
      summary: "did not receive an event with the `exiting` status",
    });
  }
  if (!exiting) {
    // Killed mid-shutdown, the host agent may leave the VM running: nothing would stop it now.
    const now = await inspectInstance(name);
    if (now && now.status !== "Stopped") {
      throw new LimaError({
        summary: `the host agent exited before the instance shut down (status ${
          quote(now.status)
        })`,
        hint: `run \`limactl stop --force ${name}\``,
      });
    }
  }
  const deadline = Date.now() + (o.stoppedTimeoutMs ?? 180_000);
  for (;;) {
    const now = await inspectInstance(name);
    if (!now || now.status === "Stopped") break;
    if (Date.now() >= deadline) {
      throw new LimaError({
        summary: "timed out waiting for instance to shut down after 3 minutes",
      });
    }
    await sleep(500);
  }
  logger.info(`The instance ${name} has shut down`);
}

function interruptHostAgent(pid: number): void {
  logger.info(`Sending SIGINT to hostagent process ${pid}`);
  try {
    Deno.kill(pid, "SIGINT");
  } catch (err) {
    throw new LimaError({
      summary: `failed to send SIGINT to the host agent process ${pid}`,
      detail: errorMessage(err),
    });
  }
}

/** Resolves once process PID no longer exists (polled: it is not our child) or SIGNAL aborts. */
async function processGone(pid: number, signal: AbortSignal): Promise<string> {
  while (isProcessAlive(pid) && !signal.aborted) await sleep(200);
  return `process ${pid} has exited`;
}

/** Kills instance NAME's processes and removes their files, whatever its state. */
export async function stopInstanceForcibly(name: string): Promise<void> {
  validateInstanceName(name);
  await using _lock = await lockInstance(name);
  await stopForcibly(await inspectExisting(name));
}

/** `limactl stop [--force] NAME...`: stops each; the errors are collected and reported together. */
export async function stopInstances(
  names: string[],
  o: StopOptions = {},
): Promise<void> {
  const errors: string[] = [];
  const self = o.self ?? selfCommand();
  for (const name of names) {
    try {
      if (o.force) await stopInstanceForcibly(name);
      else await stopGracefully(name, o);
    } catch (err) {
      if (names.length === 1) {
        await reconcileNetworks(undefined, { self }).catch((e) =>
          logger.error(errorMessage(e))
        );
        throw err;
      }
      errors.push(`${name}: ${errorMessage(err)}`);
    }
  }
  // Networks only the stopped instances used end with them (Lima's `cmd/limactl/stop.go`).
  await reconcileNetworks(undefined, { self }).catch((err) =>
    errors.push(`failed to stop unused networks: ${errorMessage(err)}`)
  );
  if (errors.length > 0) {
    throw new LimaError({ summary: errors.join("\n") });
  }
}
