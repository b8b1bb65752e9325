/**
 * `limactl usernet` (Lima's `cmd/limactl/usernet.go`): the daemon of one user-v2 network. It runs
 * gvproxy as its child, bridges every QEMU that connects to `<name>_qemu.sock` into gvproxy's
 * switch (see bridge.ts), and on SIGINT/SIGTERM saves the DHCP leases, stops gvproxy and removes
 * its sockets and PID file.
 */
import { shutdownRequest } from "../../shutdown_request.ts";
import { exists } from "../../exists.ts";
import { basename, dirname } from "node:path";
import { errorMessage, LimaError } from "../../errors.ts";
import { logger } from "../../log.ts";
import { quote } from "../../quote.ts";
import { sleep } from "../../sleep.ts";
import { joinPath } from "../../store/paths.ts";
import { isProcessAlive, readPidFile } from "../../store/pid_file.ts";
import { serveQemuBridge } from "./bridge.ts";
import { UsernetClient } from "./client.ts";
import { findGvproxy, gvproxyMissing } from "./find_gvproxy.ts";
import { gvproxyArgs, gvproxyConfig } from "./gvproxy_config.ts";
import { type Leases, writeLeasesFile } from "./leases.ts";
import { checkSocketPath } from "./paths.ts";
import { parseSubnet } from "./subnet.ts";

export interface UsernetDaemonOptions {
  /** `-p/--pidfile`: our PID; its directory holds the leases and gvproxy's files. */
  pidFile: string;
  /** `-e/--endpoint`: gvproxy's HTTP API. */
  endpointSocket: string;
  /** `--listen-qemu`: where QEMU connects. */
  qemuSocket: string;
  /** `--subnet`, e.g. `192.168.104.0/24`. */
  subnet: string;
  mtu: number;
  /** `--leases`, from the previous run. */
  leases: Leases;
  /** The gvproxy executable; default: found on PATH and in podman's directories. */
  gvproxy?: string;
  /** Stops the daemon like SIGTERM does. */
  signal?: AbortSignal;
}

/** How long gvproxy may take to create its endpoint socket. */
const GVPROXY_START_MS = 10_000;

async function removeIfPresent(path: string): Promise<void> {
  await Deno.remove(path).catch(() => {});
}

/** Whether PID runs gvproxy (a PID file outlives its process and the PID may be reused). */
async function isGvproxy(pid: number): Promise<boolean> {
  if (!isProcessAlive(pid)) return false;
  if (Deno.build.os !== "linux") return true;
  const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() =>
    ""
  );
  return cmdline.split("\0")[0].endsWith("gvproxy");
}

/** Takes the PID file; refuses when another daemon holds it. */
async function claimPidFile(path: string): Promise<void> {
  let pid = 0;
  try {
    pid = readPidFile(path);
  } catch {
    // Garbage names no process; it is replaced.
  }
  if (pid > 0 && pid !== Deno.pid) {
    throw new LimaError({
      summary: `another usernet daemon is running with pid ${pid} (pidfile ${
        quote(path)
      })`,
    });
  }
  await Deno.writeTextFile(path, `${Deno.pid}\n`, { mode: 0o644 });
}

/** Ends a gvproxy that a killed daemon left behind. */
async function stopOrphan(pidFile: string): Promise<void> {
  const pid = Number((await Deno.readTextFile(pidFile).catch(() => "")).trim());
  if (pid > 0 && await isGvproxy(pid)) {
    logger.info(`Stopping gvproxy ${pid} left by a previous daemon`);
    Deno.kill(pid, "SIGKILL");
  }
  await removeIfPresent(pidFile);
}

async function waitForSocket(
  path: string,
  child: Deno.ChildProcess,
): Promise<void> {
  let ended = false;
  child.status.then(() => ended = true);
  const deadline = Date.now() + GVPROXY_START_MS;
  while (!(await exists(path))) {
    if (ended) {
      throw new LimaError({
        summary: "gvproxy exited before creating its endpoint socket",
        hint: "see its messages above in this log",
      });
    }
    if (Date.now() > deadline) {
      throw new LimaError({
        summary: `gvproxy did not create ${quote(path)} within ${
          GVPROXY_START_MS / 1000
        } s`,
      });
    }
    await sleep(50);
  }
}

async function saveLeases(endpoint: string, file: string): Promise<void> {
  try {
    using client = new UsernetClient(endpoint);
    await writeLeasesFile(file, await client.leases());
  } catch (err) {
    logger.warn(`failed to save the DHCP leases: ${errorMessage(err)}`);
  }
}

async function stopChild(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // Already exited.
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Exited meanwhile.
    }
  }, 5000);
  await child.status;
  clearTimeout(timer);
}

/** Runs the daemon until SIGINT/SIGTERM (or SIGNAL), or until gvproxy ends. */
export async function runUsernetDaemon(o: UsernetDaemonOptions): Promise<void> {
  const dir = dirname(o.pidFile);
  const subnet = parseSubnet(o.subnet);
  checkSocketPath(o.endpointSocket);
  checkSocketPath(o.qemuSocket);
  const privateSocket = checkSocketPath(
    o.qemuSocket.replace(/_qemu\.sock$/, "") + "_gvproxy.sock",
  );
  const gvproxy = o.gvproxy ?? findGvproxy();
  if (!gvproxy) throw gvproxyMissing(basename(dir));
  await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  const stop = shutdownRequest(o.signal);
  await claimPidFile(o.pidFile);
  const gvPidFile = joinPath(dir, "gvproxy.pid");
  const configFile = joinPath(dir, "gvproxy.yaml");
  const files = [o.endpointSocket, o.qemuSocket, privateSocket];
  let child: Deno.ChildProcess | undefined;
  let bridge: ReturnType<typeof serveQemuBridge> | undefined;
  try {
    await stopOrphan(gvPidFile);
    for (const f of files) await removeIfPresent(f);
    await Deno.writeTextFile(
      configFile,
      gvproxyConfig({
        subnet,
        mtu: o.mtu,
        leases: o.leases,
        qemuSocket: privateSocket,
      }),
    );
    const args = gvproxyArgs({
      config: configFile,
      endpointSocket: o.endpointSocket,
      pidFile: gvPidFile,
    });
    logger.info(`Starting ${gvproxy} ${args.join(" ")}`);
    child = new Deno.Command(gvproxy, {
      args,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    await waitForSocket(o.endpointSocket, child);
    bridge = serveQemuBridge(o.qemuSocket, o.endpointSocket);
    logger.info(
      `The network ${subnet.cidr} (gateway ${subnet.gateway}) is ready at ${o.qemuSocket}`,
    );
    const ended = await Promise.race([
      stop.promise.then((reason) => ({ reason })),
      child.status.then((status) => ({ status })),
    ]);
    if ("status" in ended) {
      throw new LimaError({
        summary: `gvproxy exited unexpectedly (exit status ${
          ended.status.code ?? ended.status.signal
        })`,
      });
    }
    logger.info(`Received ${ended.reason}, stopping the network`);
    await saveLeases(o.endpointSocket, joinPath(dir, "leases.json"));
  } finally {
    stop.dispose();
    await bridge?.close();
    if (child) await stopChild(child);
    for (const f of [...files, gvPidFile, configFile]) await removeIfPresent(f);
    await removeIfPresent(o.pidFile);
  }
}
