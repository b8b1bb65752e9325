/**
 * Starting and stopping the daemon of one user-v2 network (Lima's `Start` and `Stop` in
 * `pkg/networks/usernet/recoincile.go`): `limactl usernet …` in the background, in its own
 * session, with its logs in the network's directory. Starting happens under a lock on that
 * directory, so two `limactl start` at once run one daemon.
 */
import { exists } from "../../exists.ts";
import { errorMessage, LimaError } from "../../errors.ts";
import { logger } from "../../log.ts";
import { quote } from "../../quote.ts";
import { sleep } from "../../sleep.ts";
import { isProcessAlive, readPidFile } from "../../store/pid_file.ts";
import { limaHome } from "../../store/paths.ts";
import { formatLeasesFlag, readLeasesFile } from "./leases.ts";
import { type UsernetPaths, usernetPaths } from "./paths.ts";

export interface StartDaemonOptions {
  /** The network's name in networks.yaml. */
  name: string;
  /** Its subnet, `192.168.104.0/24`. */
  subnet: string;
  /** The command line that runs `limactl` (this program). */
  self: string[];
  home?: string;
  /** How long the daemon may take to listen (ms); default 30 s. */
  timeoutMs?: number;
}

/** The PID of the running daemon of the network at PATHS, or 0. */
export function daemonPid(paths: UsernetPaths): number {
  try {
    return readPidFile(paths.pidFile);
  } catch {
    return 0;
  }
}

/** Runs WORK holding an exclusive lock on directory DIR. */
async function withDirLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.lock(true);
    return await work();
  } finally {
    handle.close();
  }
}

async function tail(path: string): Promise<string> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.trim().split("\n").slice(-5).join("\n");
}

/** The `limactl usernet` arguments for network NAME. */
export function usernetArgs(
  paths: UsernetPaths,
  subnet: string,
  leases: string,
): string[] {
  return [
    "usernet",
    "-p",
    paths.pidFile,
    "-e",
    paths.endpointSocket,
    "--listen-qemu",
    paths.qemuSocket,
    "--subnet",
    subnet,
    ...(leases ? ["--leases", leases] : []),
  ];
}

async function spawnDaemon(
  o: StartDaemonOptions,
  paths: UsernetPaths,
): Promise<void> {
  const leases = formatLeasesFlag(await readLeasesFile(paths.leases));
  const [program, ...prefix] = o.self;
  const args = [...prefix, ...usernetArgs(paths, o.subnet, leases)];
  for (const log of [paths.stdoutLog, paths.stderrLog]) {
    await Deno.remove(log).catch(() => {});
  }
  logger.debug(`Starting usernet network: ${program} ${args.join(" ")}`);
  // Deno cannot hand a file to a child as its stdout, so a shell does the redirection.
  const child = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'out=$1 err=$2; shift 2; exec "$@" >>"$out" 2>>"$err" </dev/null',
      "sh",
      paths.stdoutLog,
      paths.stderrLog,
      program,
      ...args,
    ],
    env: { LIMA_HOME: o.home ?? limaHome() },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  let ended = false;
  child.status.then(() => ended = true);
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  while (!(await exists(paths.qemuSocket)) || daemonPid(paths) === 0) {
    if (ended || Date.now() > deadline) {
      if (!ended) child.kill("SIGKILL");
      throw new LimaError({
        summary: `failed to start the user-v2 network ${quote(o.name)}`,
        detail: await tail(paths.stderrLog) || undefined,
        hint: `see ${quote(paths.stderrLog)}`,
      });
    }
    await sleep(50);
  }
}

/** Kills the gvproxy of a daemon that was killed before it could stop it. */
async function stopLeftGvproxy(paths: UsernetPaths): Promise<void> {
  const file = `${paths.dir}/gvproxy.pid`;
  const pid = Number((await Deno.readTextFile(file).catch(() => "")).trim());
  if (pid > 0 && isProcessAlive(pid)) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Exited meanwhile.
    }
  }
  await Deno.remove(file).catch(() => {});
}

/** Starts the daemon of user-v2 network NAME unless it runs. */
export async function ensureUsernetDaemon(
  o: StartDaemonOptions,
): Promise<void> {
  const paths = usernetPaths(o.name, o.home);
  await withDirLock(paths.dir, async () => {
    if (daemonPid(paths) > 0) return;
    logger.info(`Starting the user-v2 network ${quote(o.name)} (${o.subnet})`);
    await spawnDaemon(o, paths);
  });
}

/**
 * Stops the daemon of user-v2 network NAME: SIGTERM, up to 5 s for it to save its leases and
 * remove its files, then SIGKILL and the files removed here.
 */
export async function stopUsernetDaemon(
  name: string,
  home: string = limaHome(),
): Promise<void> {
  const paths = usernetPaths(name, home);
  const pid = daemonPid(paths);
  if (pid === 0) return;
  logger.info(`Stopping the user-v2 network ${quote(name)}`);
  try {
    Deno.kill(pid, "SIGTERM");
  } catch (err) {
    logger.warn(`failed to signal usernet daemon ${pid}: ${errorMessage(err)}`);
  }
  const deadline = Date.now() + 5000;
  while (isProcessAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isProcessAlive(pid)) {
    logger.info("usernet network still running after 5 seconds; killing it");
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Exited meanwhile.
    }
    await stopLeftGvproxy(paths);
    for (const f of [paths.qemuSocket, paths.endpointSocket, paths.pidFile]) {
      await Deno.remove(f).catch(() => {});
    }
  }
}
