/**
 * `limactl start` (Lima's `cmd/limactl/start.go`, `pkg/instance/start.go`). The whole story of
 * starting an instance: find or create it → refuse if it already runs → configure and validate the
 * driver → fetch the image and create the disk → spawn the host agent in the background (or have
 * the service manager start it, for an instance registered for autostart) → follow its events
 * until the guest is ready.
 */
import { runAnsibleProvisions } from "./ansible.ts";
import { checkInstanceNetworks } from "../network/networks_yaml.ts";
import {
  checkUserV2Prerequisites,
  networkAttachments,
  networksFor,
} from "../network/attachments.ts";
import { reconcileNetworks } from "../network/reconcile.ts";
import { join } from "node:path";
import type { EditFlags } from "../config/edit_flags.ts";
import { errorMessage, ExitCodeError, LimaError } from "../errors.ts";
import {
  selfCommand,
  type SpawnedHostAgent,
  spawnHostAgent,
} from "../hostagent/spawn.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { writeFileAtomic } from "../store/atomic_write.ts";
import { inspectInstance } from "../instance/instance.ts";
import type { Instance } from "../instance/record.ts";
import { lockInstance } from "../store/lock.ts";
import { DEFAULT_INSTANCE, isValidInstanceName } from "../store/names.ts";
import { instanceDir, InstanceFiles } from "../store/paths.ts";
import type { DriverRegistry } from "../../plugins/registry.ts";
import { assertHostSupported } from "../../plugins/guard.ts";
import {
  createInstance,
  type CreateRequest,
  resolveNewInstance,
} from "./create.ts";
import { editExpression, validateEdited } from "./edit.ts";
import { ensureNerdctlArchive } from "./nerdctl_archive.ts";
import { prepareInstance } from "./prepare.ts";
import { readyMessage, waitForRunning } from "./watch_events.ts";
import { readRegularText } from "../config/read_file.ts";
import { sleep } from "../sleep.ts";
import { exists } from "../exists.ts";
import { requestStart } from "../autostart/request.ts";

/** Lima's default for `--timeout`. */
export const DEFAULT_START_TIMEOUT_MS = 10 * 60_000;

export interface StartOptions {
  drivers: DriverRegistry;
  /** How long to wait for the `running` event. */
  timeoutMs?: number;
  /** Run the host agent attached to this process (`--foreground`). */
  foreground?: boolean;
  progress?: boolean;
  debug?: boolean;
  /** The program to run as `limactl` for the host agent (default: this one). */
  self?: string[];
}

export interface StartRequest
  extends Omit<CreateRequest, "drivers">, StartOptions {}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration (`10m0s`, `90s`, `1.5h`) in milliseconds; throws when VALUE is not one. */
export function parseDuration(value: string): number {
  const text = value.trim();
  if (text === "0") return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let ms = 0;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) break;
    ms += Number(m[1]) * DURATION_UNITS[m[2]];
    at = re.lastIndex;
  }
  if (at === 0 || at !== text.length) {
    throw new LimaError({
      summary: `invalid duration ${JSON.stringify(value)}`,
    });
  }
  return ms;
}

/** The command that opens a shell in instance NAME, as Lima's messages suggest it. */
export function shellCommandFor(name: string): string {
  return name === DEFAULT_INSTANCE ? "lima" : `limactl shell ${name}`;
}

function instanceExists(name: string): Promise<boolean> {
  return exists(join(instanceDir(name), InstanceFiles.limaYAML));
}

function hasEditFlags(flags: EditFlags): boolean {
  return Object.values(flags).some((v) =>
    v !== undefined && !(Array.isArray(v) && v.length === 0)
  );
}

/** Applies the edit flags to an existing instance's lima.yaml (validated, rewritten atomically). */
export async function applyEditFlags(
  name: string,
  flags: EditFlags,
): Promise<void> {
  if (!hasEditFlags(flags)) return;
  const dir = instanceDir(name);
  const file = join(dir, InstanceFiles.limaYAML);
  const text = await readRegularText(file);
  const expression = await editExpression(text, file, flags);
  if (!expression) return;
  const { applyYq } = await import("../yq/mod.ts");
  const newText = applyYq(text, expression, file);
  if (newText === text) return;
  const current = (await inspectInstance(name))?.config;
  await validateEdited({ instDir: dir, name, newText, current, file });
  await writeFileAtomic(file, newText, { mode: 0o644 });
}

/**
 * `limactl start [INSTANCE|FILE.yaml|URL]`: an existing instance (with the edit flags
 * applied to it), or a new one created from the template first; then `startInstance`.
 */
export async function startFromRequest(req: StartRequest): Promise<void> {
  const arg = req.arg || req.name || DEFAULT_INSTANCE;
  let name: string;
  if (isValidInstanceName(arg) && await instanceExists(arg)) {
    name = arg;
    await applyEditFlags(name, req.flags);
  } else {
    const config = await resolveNewInstance(req);
    name = (await createInstance(config.name, config.text, {
      saveRejected: req.tty && req.arg !== "-",
      drivers: req.drivers,
    })).name;
  }
  await startInstance(name, req);
}

/** Refuses to start an instance whose processes still run; returns false when it is simply running. */
function checkStartable(inst: Instance): boolean {
  if (inst.status === "Running") {
    logger.info(
      `The instance ${quote(inst.name)} is already running. Run \`${
        shellCommandFor(inst.name)
      }\` to open the shell.`,
    );
    return false;
  }
  if (inst.status !== "Stopped") {
    logger.warn(
      `expected status ${quote("Stopped")}, got ${quote(inst.status)}`,
      inst.errors.length > 0 ? { errors: inst.errors } : undefined,
    );
  }
  if (inst.hostAgentPID > 0) {
    const pidFile = join(inst.dir, InstanceFiles.hostAgentPID);
    throw new LimaError({
      summary: `instance ${quote(inst.name)} seems running`,
      hint: `remove ${
        quote(pidFile)
      } if the instance is not actually running, or run \`limactl stop --force ${inst.name}\``,
    });
  }
  if (inst.driverPID > 0) {
    throw new LimaError({
      summary: `the ${inst.vmType} process ${inst.driverPID} of instance ${
        quote(inst.name)
      } is still running without its host agent`,
      hint: `run \`limactl stop --force ${inst.name}\` first`,
    });
  }
  return true;
}

/** Starts the existing instance NAME and waits until it is ready (or already running). */
export async function startInstance(
  name: string,
  o: StartOptions,
): Promise<void> {
  const since = new Date();
  const self = o.self ?? selfCommand();
  /** The host agent this process spawned; none when the service manager starts it. */
  let hostAgent: SpawnedHostAgent | undefined;
  let inst: Instance;
  /** The instance joins networks of networks.yaml, whose daemons start and stop with it. */
  let managedNetworks = false;
  {
    await using _lock = await lockInstance(name);
    const found = await inspectInstance(name);
    if (!found) {
      throw new LimaError({
        summary: `instance ${quote(name)} does not exist`,
        hint: `run \`limactl create ${name}\` to create a new instance`,
      });
    }
    inst = found;
    if (!checkStartable(inst)) return;
    if (!inst.config) {
      throw new LimaError({
        summary: `instance ${quote(name)} has no usable configuration`,
        detail: inst.errors.join("; ") || undefined,
      });
    }
    await checkInstanceNetworks(inst.config.networks ?? []);
    await checkUserV2Prerequisites(inst.config);
    managedNetworks = (inst.config.networks ?? []).some((n) => n.lima);
    const networks = await networksFor(inst.config);
    const vmType = inst.vmType;
    const loaded = await o.drivers.get(vmType);
    // An instance made before create checked the host, or on another host.
    assertHostSupported(loaded.manifest);
    logger.info(
      `Starting the instance ${quote(name)} with ${
        loaded.location === "internal" ? "internal" : "external"
      } VM driver ${quote(vmType)}`,
    );
    const driver = await loaded.create({
      name,
      dir: inst.dir,
      config: inst.config,
      limaVersion: inst.limaVersion,
      networks: networkAttachments(inst.config, inst.dir, networks),
    });
    const prepared = await prepareInstance({ dir: inst.dir, driver });
    const nerdctlArchive = await ensureNerdctlArchive(prepared);
    try {
      // The service's own `start --foreground` joins the networks.
      if (await requestStart(inst, { foreground: o.foreground })) {
        managedNetworks = false;
      } else {
        if (managedNetworks) await reconcileNetworks(name, { self });
        hostAgent = await spawnHostAgent({
          name,
          dir: inst.dir,
          debug: o.debug,
          progress: o.progress,
          nerdctlArchive,
          foreground: o.foreground,
          self: o.self,
        });
      }
    } catch (err) {
      if (managedNetworks) await releaseNetworks(self);
      throw err;
    }
  }
  try {
    await followHostAgent(name, inst, hostAgent, since, o);
  } catch (err) {
    if (managedNetworks) await releaseNetworks(self);
    throw err;
  }
  // In the foreground the host agent has exited: the instance is stopped now.
  if (managedNetworks && o.foreground) await releaseNetworks(self);
}

/** Stops the network daemons no running instance uses, keeping the error that brought us here. */
async function releaseNetworks(self: string[]): Promise<void> {
  await reconcileNetworks(undefined, { self }).catch((err) =>
    logger.warn(`failed to stop unused networks: ${errorMessage(err)}`)
  );
}

async function followHostAgent(
  name: string,
  inst: Instance,
  hostAgent: SpawnedHostAgent | undefined,
  since: Date,
  o: StartOptions,
): Promise<void> {
  if (hostAgent && o.foreground) {
    // The host agent owns the terminal now; Ctrl-C reaches it directly and it shuts down.
    const ignore = () => {};
    Deno.addSignalListener("SIGINT", ignore);
    try {
      const how = await hostAgent.exited;
      logger.info(`The host agent has exited (${how})`);
      // Lima execs the host agent in the foreground: its exit status is limactl's (and
      // systemd's Restart=on-failure of an autostart unit depends on it).
      const { success, code } = await hostAgent.status;
      if (!success) throw new ExitCodeError(code || 1);
    } finally {
      Deno.removeSignalListener("SIGINT", ignore);
    }
    return;
  }
  await waitForPidFile(inst.dir, hostAgent);
  await waitForRunning({
    instDir: inst.dir,
    name,
    since,
    timeoutMs: o.timeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    hostAgentExited: hostAgent?.exited,
    progress: o.progress,
  });
  if (inst.config) await runAnsibleProvisions(inst.config, name, inst.dir);
  logger.info(readyMessage(name, inst.dir, inst.config?.plain ?? false));
  const message = (await inspectInstance(name))?.message;
  if (message) {
    logger.info(`Message from the instance ${quote(name)}:\n${message}`);
  }
}

/**
 * As in Lima's `pkg/instance/start.go`, `ha.pid` must appear within 5 s of spawning HOSTAGENT.
 * Started by the service manager, the host agent comes after a whole `limactl start` of its
 * own, which a `deno run` takes seconds to load: 30 s then.
 */
async function waitForPidFile(
  dir: string,
  hostAgent: SpawnedHostAgent | undefined,
): Promise<void> {
  const pidFile = join(dir, InstanceFiles.hostAgentPID);
  const stderrLog = join(dir, InstanceFiles.hostAgentStderr);
  let ended = false;
  hostAgent?.exited.then(() => ended = true);
  const seconds = hostAgent ? 5 : 30;
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      await Deno.lstat(pidFile);
      return;
    } catch {
      // Not yet written.
    }
    if (ended) break;
    await sleep(50);
  }
  // The watcher reports an early exit with the host agent's own error.
  if (ended) return;
  throw new LimaError({
    summary: `hostagent (${quote(pidFile)}) did not start up in ${seconds}s`,
    hint: `see ${quote(stderrLog)}`,
  });
}
