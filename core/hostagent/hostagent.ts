/**
 * The host agent (Lima's `pkg/hostagent/hostagent.go`): the background process that owns a running
 * instance. It writes the cidata seed and `ssh.config`, starts the VM through its driver, checks
 * the guest's requirements over SSH, reports progress as events on stdout, answers on `ha.sock`,
 * and on SIGINT/SIGTERM (or when the VM ends) stops the VM and exits.
 */
import { autoStartedIdentifier } from "./auto_started.ts";
import { shutdownRequest } from "../shutdown_request.ts";
import { writeCidataISO } from "../cidata/write.ts";
import { newInstanceID } from "../cidata/seed.ts";
import { existingLimaVersion } from "../config/load.ts";
import type { LimaYAML } from "../config/schema.ts";
import { errorMessage, formatDiagnostic, LimaError } from "../errors.ts";
import { GUEST_AGENT_PYTHON } from "../guestagent/agent.ts";
import { startHostResolver } from "../network/host_resolver.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { authorizedKeys, identityFiles } from "../ssh/keys.ts";
import { detectOpenSSH, sshOptions } from "../ssh/options.ts";
import { SSHPool } from "../ssh/pool.ts";
import { writeSSHConfig } from "../ssh/ssh_config.ts";
import type { SSHTarget } from "../ssh/target.ts";
import { additionalDiskNames, lockDisks } from "../instance/disk_lock.ts";
import { loadValidatedConfig } from "../instance/load_config.ts";
import { instanceDir } from "../store/paths.ts";
import { isProcessAlive, readPidFile } from "../store/pid_file.ts";
import type { Driver, RunningVM } from "../../plugins/contract.ts";
import type { DriverRegistry } from "../../plugins/registry.ts";
import { serveAPI } from "./api.ts";
import { copyToHost, removeCopiedFiles } from "./copy_to_host.ts";
import { EventWriter } from "./events.ts";
import { bootFailureMessage, BootProgress } from "./boot_progress.ts";
import type { BootFailure } from "./boot_phases.ts";
import {
  checkRequirements,
  essentialRequirements,
  finalRequirement,
  optionalRequirements,
  provisionFailures,
  READ_PROVISION_ERRORS,
  type ScriptRunner,
} from "./requirements.ts";
import { scriptRunner } from "./script_runner.ts";
import { mountReverseSSHFS, type SSHFSMount } from "../mounts/reverse_sshfs.ts";
import { type PortForwarding, startPortForwarding } from "./port_forwarding.ts";
import { chooseSSHPort } from "./ssh_port.ts";
import { serveGuestYq } from "./guest_yq.ts";
import { yqProvisions } from "./yq_provision.ts";
import { resolvesWithin } from "../timeout.ts";
import { configureDriver } from "../../plugins/configure_driver.ts";
import { driverFacts } from "../../plugins/driver_facts.ts";
import {
  firstUserV2Network,
  networkAttachments,
  networksFor,
} from "../network/attachments.ts";
import { usernetPaths } from "../network/usernet/paths.ts";
import { guestHostname } from "../config/fill.ts";
import { nic0MacAddress } from "../config/identity.ts";
import { configureUserV2, unexposeSSH } from "./usernet.ts";

export interface HostAgentOptions {
  /** The instance name. */
  name: string;
  /** `--pidfile`: written with our PID, removed on exit. */
  pidFile: string;
  /** `--socket`: where the HTTP API listens. */
  socket: string;
  drivers: DriverRegistry;
  /** Where event lines go; default: stdout. */
  writeEvent?: (bytes: Uint8Array) => void;
  /** Stops the host agent like SIGINT does. */
  signal?: AbortSignal;
  /** Pass the cidata debug flag to the guest (`--debug`). */
  debug?: boolean;
  /** `--nerdctl-archive`: put into the seed for containerd. */
  nerdctlArchive?: string;
  /** Pause between requirement checks (ms); default 1 s (0.25 s for the essential ones). */
  requirementIntervalMs?: number;
  /** How long one requirement may take (ms); default 10 minutes. */
  requirementTimeoutMs?: number;
}

async function writePidFile(path: string): Promise<void> {
  let pid = 0;
  try {
    pid = await readPidFile(path);
  } catch {
    // Garbage in the file: it names no process, so it is replaced.
  }
  if (pid > 0 && pid !== Deno.pid && isProcessAlive(pid)) {
    throw new LimaError({
      summary:
        `another hostagent may already be running with pid ${pid} (pidfile ${
          quote(path)
        })`,
    });
  }
  await Deno.writeTextFile(path, `${Deno.pid}\n`, { mode: 0o644 });
}

async function removePidFile(path: string): Promise<void> {
  try {
    if ((await Deno.readTextFile(path)).trim() === String(Deno.pid)) {
      await Deno.remove(path);
    }
  } catch {
    // Already removed (e.g. by a forced stop).
  }
}

function isLegacyDefault(name: string, limaVersion: string | undefined) {
  return name === "default" && limaVersion !== undefined &&
    (limaVersion === "" || /^v?[01]\./.test(limaVersion));
}

/** The VM ended on its own; the `exiting` event has already reported it. */
class VMStoppedError extends LimaError {}

/** Runs the host agent of instance NAME until it is told to stop or the VM ends. */
export async function runHostAgent(options: HostAgentOptions): Promise<void> {
  const dir = instanceDir(options.name);
  const events = new EventWriter(
    options.writeEvent ?? ((bytes) => Deno.stdout.writeSync(bytes)),
  );
  const stop = shutdownRequest(options.signal);
  await writePidFile(options.pidFile);
  try {
    await serve(options, dir, events, stop.promise);
  } catch (err) {
    if (!(err instanceof VMStoppedError)) {
      events.emit({ exiting: true, errors: [errorMessage(err)] });
    }
    throw err;
  } finally {
    stop.dispose();
    await removePidFile(options.pidFile);
  }
}

async function serve(
  options: HostAgentOptions,
  dir: string,
  events: EventWriter,
  shutdown: Promise<string>,
): Promise<void> {
  const config = await loadValidatedConfig({
    instDir: dir,
    name: options.name,
  });
  const limaVersion = await existingLimaVersion(dir);
  const sshLocalPort = await chooseSSHPort({
    configured: config.ssh?.localPort ?? 0,
    legacyDefault: isLegacyDefault(options.name, limaVersion),
  });
  // Filling always sets vmType; "" would be refused as no registered driver.
  const vmType = config.vmType ?? "";
  const loaded = await options.drivers.get(vmType);
  const networks = await networksFor(config);
  const userV2 = networks && firstUserV2Network(config, networks);
  const driver = await loaded.create({
    name: options.name,
    dir,
    config,
    limaVersion,
    sshLocalPort,
    networks: networkAttachments(config, dir, networks),
  });
  const configured = await configureDriver(driver);

  // Released when this function ends, after the VM has stopped (Lima's host agent does the
  // same in its clean-up); before it, nothing has been started.
  await using _disks = await lockDisks(
    additionalDiskNames(config.additionalDisks ?? []),
    dir,
  );
  const info = await driver.info();
  const facts = await driverFacts(vmType);
  const loadDotSSHPubKeys = configured.ssh?.loadDotSSHPubKeys ?? false;
  const iid = newInstanceID();
  const dns = await startHostResolver(
    configured,
    options.name,
    facts,
    userV2 !== undefined,
  );
  await writeCidataISO({
    config: configured,
    name: options.name,
    instDir: dir,
    sshPublicKeys: await authorizedKeys({ loadDotSSHPubKeys }),
    sshLocalPort,
    instanceID: iid,
    driverBootScripts: await driver.bootScripts(),
    guestAgentBinary: new TextEncoder().encode(GUEST_AGENT_PYTHON),
    udpDNSLocalPort: dns?.udpPort,
    tcpDNSLocalPort: dns?.tcpPort,
    vsockPort: info.vsockPort,
    virtioPort: info.virtioPort,
    noCloudInit: info.features.noCloudInit,
    dnsAtGateway: facts.dnsAtGateway,
    userV2Network: userV2 &&
      { index: userV2.index, gateway: userV2.subnet.gateway, ipAddress: "" },
    debug: options.debug,
    nerdctlArchive: options.nerdctlArchive,
  });
  const keys = await identityFiles({ loadDotSSHPubKeys });
  const user = configured.user?.name ?? "";
  const opensshOptions = sshOptions({
    instDir: dir,
    user,
    identityFiles: keys,
    forwardAgent: configured.ssh?.forwardAgent ?? false,
    forwardX11: configured.ssh?.forwardX11 ?? false,
    forwardX11Trusted: configured.ssh?.forwardX11Trusted ?? false,
    features: await detectOpenSSH(),
  });
  await writeSSHConfig(dir, {
    name: options.name,
    port: sshLocalPort,
    options: opensshOptions,
  });

  const screenshot = loaded.manifest.capabilities.screenshot
    ? driver.display?.screenshot?.bind(driver.display)
    : undefined;
  const autoStarted = autoStartedIdentifier();
  const api = await serveAPI(options.socket, {
    info: () => ({ sshLocalPort, autoStartedIdentifier: autoStarted }),
    driverName: vmType,
    screenshot,
  });
  logger.info(`hostagent socket created at ${options.socket}`);
  const pool = new SSHPool({ timeoutMs: 10_000 });
  const routine = new AbortController();
  let vm: RunningVM | undefined;
  let crash: string | undefined;
  let bootFailure: BootFailure | undefined;
  const progress = new BootProgress({
    events,
    instDir: dir,
    consoleLogs: info.consoleLogs ?? [],
    nicMac: nic0MacAddress(dir),
  });
  let forwarding: PortForwarding | undefined;
  const mounts: SSHFSMount[] = [];
  const endpoint = userV2 && usernetPaths(userV2.name).endpointSocket;
  let exposed = false;
  try {
    vm = await driver.start();
    events.emit({ sshLocalPort });
    progress.phase("vm-started", info.name);
    const stuck = progress.stuck().then((boot) => ({ boot }));
    // As QEMU's own exit would, a user-v2 network that cannot reach the guest ends the host agent.
    const networkFailed = endpoint
      ? configureUserV2({
        endpointSocket: endpoint,
        macAddress: nic0MacAddress(dir),
        sshLocalPort,
        gateway: userV2.subnet.gateway,
        hostname: guestHostname(options.name),
        hosts: { ...configured.hostResolver?.hosts },
        signal: routine.signal,
      }).then(() => {
        exposed = true;
        return new Promise<never>(() => {});
      }, (err) => ({ failure: errorMessage(err) }))
      : new Promise<never>(() => {});
    const target: SSHTarget = {
      name: options.name,
      instDir: dir,
      host: await driver.sshAddress(),
      port: sshLocalPort,
      user,
      identityFiles: keys,
      forwardAgent: configured.ssh?.forwardAgent ?? false,
    };
    startupRoutine({
      config: configured,
      iid,
      dir,
      run: scriptRunner(pool, target, configured, progress),
      progress,
      pool,
      target,
      mount: async () => {
        const errors: string[] = [];
        if (
          configured.plain || configured.mountType !== "reverse-sshfs"
        ) return errors;
        for (const m of configured.mounts ?? []) {
          try {
            mounts.push(await mountReverseSSHFS(await pool.get(target), m));
          } catch (err) {
            errors.push(
              `failed to mount ${quote(m.location ?? "")}: ${
                errorMessage(err)
              }`,
            );
          }
        }
        return errors;
      },
      startServices: async () =>
        startPortForwarding({
          config: configured,
          sshLocalPort,
          pool,
          target,
          sshArgs: [
            ...opensshOptions.flatMap((o) => ["-o", o]),
            "-p",
            String(sshLocalPort),
            target.host,
          ],
          events,
          ...await agentChannels(driver),
        }).then((pf) => {
          forwarding = pf;
          return pf;
        }),
      signal: routine.signal,
      intervalMs: options.requirementIntervalMs,
      timeoutMs: options.requirementTimeoutMs,
    }).then((errs) => {
      progress.finish();
      // A degraded start is not READY: start prints DEGRADED and the errors instead.
      if (errs.length === 0) progress.phase("ready");
      events.emit({
        running: true,
        sshLocalPort,
        degraded: errs.length > 0,
        errors: errs,
      });
    }, (err) => {
      if (!routine.signal.aborted) {
        logger.error(`start-up routine failed: ${errorMessage(err)}`);
      }
    });
    const ended = await Promise.race([
      vm.exited.then((report) => ({ report })),
      shutdown.then((reason) => ({ reason })),
      networkFailed,
      stuck,
    ]);
    if ("boot" in ended) {
      bootFailure = ended.boot;
      crash = bootFailureMessage(bootFailure);
      logger.error(crash);
      await killStuckVM(vm);
      vm = undefined;
    } else if ("failure" in ended) {
      crash = `the user-v2 network failed: ${ended.failure}`;
      logger.error(crash);
    } else if ("reason" in ended) {
      logger.info(`Received ${ended.reason}, shutting down the host agent`);
    } else {
      const why = ended.report.diagnostic
        ? formatDiagnostic(ended.report.diagnostic)
        : `exit status ${ended.report.code ?? ended.report.signal}`;
      crash = `Driver stopped due to error: ${why}`;
      logger.error(crash);
      vm = undefined;
    }
  } finally {
    logger.info("Shutting down the host agent");
    routine.abort();
    progress.finish();
    if (crash) {
      // With the VM gone, SSH channels and the forwards being set up wait for answers that
      // never come; the listeners end with this process.
      await pool.close();
      await bounded(
        closeServices(forwarding, mounts),
        CRASH_CLEANUP_MS,
        "port forwarding and mounts",
      );
    } else {
      await closeServices(forwarding, mounts);
    }
    await cleanup(configured, dir, pool);
    if (endpoint && exposed) {
      await unexposeSSH(endpoint, sshLocalPort).catch((err) =>
        logger.warn(`failed to unexpose the SSH port: ${errorMessage(err)}`)
      );
    }
    await stopDriver(driver, vm !== undefined);
    if (crash) events.emit({ exiting: true, errors: [crash], bootFailure });
    await api.close();
    await dns?.close();
  }
  if (crash) throw new VMStoppedError({ summary: crash });
  events.emit({ exiting: true });
}

/**
 * Ends the process of a VM whose boot is stuck: a guest that panicked or sits in an initramfs
 * shell never answers the driver's graceful power-down, which would wait minutes for it.
 */
async function killStuckVM(vm: RunningVM): Promise<void> {
  if (vm.pid === undefined) return;
  try {
    Deno.kill(vm.pid, "SIGKILL");
  } catch {
    // It has ended already.
  }
  await vm.exited;
}

/** How long the host agent waits for its forwards and mounts to close after the VM crashed. */
const CRASH_CLEANUP_MS = 250;

async function closeServices(
  forwarding: PortForwarding | undefined,
  mounts: SSHFSMount[],
): Promise<void> {
  await forwarding?.close().catch((err) =>
    logger.warn(`failed to stop port forwarding: ${errorMessage(err)}`)
  );
  for (const m of mounts.splice(0)) {
    await m.close().catch((err) =>
      logger.warn(
        `failed to unmount ${quote(m.mountPoint)}: ${errorMessage(err)}`,
      )
    );
  }
}

/** Waits for WORK at most MS; then goes on without it. */
async function bounded(
  work: Promise<void>,
  ms: number,
  what: string,
): Promise<void> {
  if (!(await resolvesWithin(work, ms))) {
    logger.warn(`${what} did not stop within ${ms} ms; exiting without them`);
  }
}

async function cleanup(
  config: LimaYAML,
  dir: string,
  pool: SSHPool,
): Promise<void> {
  await removeCopiedFiles(config, dir).catch((err) =>
    logger.warn(`failed to remove copied files: ${errorMessage(err)}`)
  );
  await pool.close();
}

async function stopDriver(driver: Driver, running: boolean): Promise<void> {
  try {
    await driver.stop();
  } catch (err) {
    const level = running ? "error" : "debug";
    logger[level](`failed to stop the driver: ${errorMessage(err)}`);
  }
}

interface RoutineOptions {
  config: LimaYAML;
  iid: string;
  dir: string;
  run: ScriptRunner;
  pool: SSHPool;
  target: SSHTarget;
  /** reverse-sshfs mounts (after the essential requirements); returns the errors. */
  mount: () => Promise<string[]>;
  /** Port forwarding and the guest agent, started after the mounts. */
  startServices: () => Promise<PortForwarding>;
  signal: AbortSignal;
  intervalMs?: number;
  timeoutMs?: number;
  progress: BootProgress;
}

/**
 * How long the start-up routine waits for the guest agent (one minute, as in Lima's
 * `pkg/hostagent/hostagent.go`).
 */
const GUEST_AGENT_WAIT_MS = 60_000;

/**
 * Lima's `startHostAgentRoutines`: the requirements in order, then `copyToHost`; returns every
 * error.
 */
async function startupRoutine(o: RoutineOptions): Promise<string[]> {
  if (o.config.plain) {
    logger.info(
      "Running in plain mode. Mounts, dynamic port forwarding, containerd, etc. will be ignored. Guest agent will not be running. Static port forwarding is allowed.",
    );
  }
  const check = {
    signal: o.signal,
    timeoutMs: o.timeoutMs,
    onSatisfied: (description: string) =>
      o.progress.phase("requirement", description),
  };
  const bootDone = new AbortController();
  const errors = await checkRequirements(
    "essential",
    essentialRequirements(o.config, o.iid),
    o.run,
    { ...check, intervalMs: o.intervalMs ?? 250 },
  );
  o.signal.throwIfAborted();
  // Answers the boot scripts' yq provisions until the boot is done (see guest_yq.ts).
  const yq = AbortSignal.any([o.signal, bootDone.signal]);
  serveGuestYq({
    provisions: yqProvisions(o.config),
    iid: o.iid,
    connect: () => o.pool.get(o.target),
    signal: yq,
  });
  errors.push(...await o.mount());
  o.signal.throwIfAborted();
  let services: PortForwarding | undefined;
  try {
    services = await o.startServices();
  } catch (err) {
    errors.push(`failed to set up port forwarding: ${errorMessage(err)}`);
  }
  const optional = optionalRequirements(o.config);
  if (optional.length > 0) {
    errors.push(
      ...await checkRequirements("optional", optional, o.run, {
        ...check,
        intervalMs: o.intervalMs,
      }),
    );
  }
  if (services && !o.config.plain && (o.config.os ?? "Linux") === "Linux") {
    logger.info("Waiting for the guest agent to be running");
    if (!(await resolvesWithin(services.agentRunning, GUEST_AGENT_WAIT_MS))) {
      errors.push(
        "guest agent does not seem to be running; port forwards will not work",
      );
    }
  }
  let provisionErrors: string | undefined;
  const final = finalRequirement(o.iid, (out) => provisionErrors = out);
  errors.push(
    ...await checkRequirements("final", [final], o.run, {
      ...check,
      intervalMs: o.intervalMs,
      onSatisfied: () => o.progress.phase("boot-scripts-done"),
    }),
  );
  bootDone.abort();
  o.signal.throwIfAborted();
  try {
    if (provisionErrors === undefined) {
      // The boot did not finish; what it recorded so far may still say why.
      const conn = await o.pool.get(o.target);
      // Through sh: the user's login shell runs the command, and it may not be a POSIX one.
      const out = await conn.run("/bin/sh", { stdin: READ_PROVISION_ERRORS });
      provisionErrors = new TextDecoder().decode(out.stdout);
    }
    errors.push(...provisionFailures(provisionErrors));
  } catch (err) {
    errors.push(
      `failed to read the provisioning results: ${errorMessage(err)}`,
    );
  }
  try {
    await copyToHost(o.config, o.dir, () => o.pool.get(o.target));
  } catch (err) {
    errors.push(errorMessage(err));
  }
  return errors;
}

/**
 * The driver's sockets to the guest agent: its virtio-serial channel (the one the agent speaks
 * on) and its port forwarding tunnel, each when the driver offers it.
 */
async function agentChannels(
  driver: Driver,
): Promise<{ agentSocket?: string; tunnelSocket?: string }> {
  const endpoint = await driver.guestAgentConn?.();
  return {
    agentSocket: endpoint?.transport === "virtio-serial"
      ? endpoint.socketPath
      : undefined,
    tunnelSocket: endpoint?.tunnelSocketPath,
  };
}
