/**
 * Starting and stopping the socket_vmnet daemon of a network through sudo (Lima's
 * `pkg/networks/reconcile/reconcile.go`): `paths.varRun` is created as root, socket_vmnet runs
 * as root in the background with its output in `LIMA_HOME/_networks/`, and is stopped with
 * `pkill -F` on its PID file. networks.yaml and sudo access are checked once, first.
 */
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import type { Daemon, NetworkHost } from "./network_host.ts";
import type { NetworksConfig } from "./networks_yaml.ts";
import { validateNetworksSecurity } from "./networks_security.ts";
import {
  logFile,
  mkdirCommand,
  pidFile,
  SOCKET_VMNET,
  startCommand,
  stopCommand,
} from "./socket_vmnet_commands.ts";
import { asRoot, type ReadFile, verifySudoAccess } from "./sudo_access.ts";
import { isSocketVMNetInstalled } from "./sudoers_text.ts";

/** socket_vmnet writes its PID file at once; 30 s alive without one is another problem. */
const START_TIMEOUT_MS = 30_000;
/** socket_vmnet may exit at boot before macOS's network sharing is up; Lima tries 5 times. */
const MAX_ATTEMPTS = 5;
const POLL_MS = 500;
const STOP_WAIT_MS = 5_000;

export interface SocketVMNetOptions {
  config: NetworksConfig;
  home: string;
  host: NetworkHost & { readFile: ReadFile };
}

/** Go's `%v` of a command line. */
const argsText = (argv: string[]) => `[${argv.join(" ")}]`;

/** The daemons of socket_vmnet networks, for one reconciliation. */
export class SocketVMNet {
  #o: SocketVMNetOptions;
  #validated?: Promise<void>;

  constructor(options: SocketVMNetOptions) {
    this.#o = options;
  }

  /** `sudo --user root --group wheel --non-interactive` and COMMAND split on spaces. */
  #sudo(command: string): string[] {
    return asRoot(this.#o.host, command.split(" "));
  }

  async #run(command: string): Promise<void> {
    const argv = this.#sudo(command);
    logger.info(`Running: ${argsText(argv)}`);
    const r = await this.#o.host.run(argv);
    if (r.code !== 0) {
      throw new LimaError({
        summary: `failed to run ${argsText(argv)}: stdout=${
          quote(r.stdout)
        }, stderr=${quote(r.stderr)}: exit status ${r.code}`,
      });
    }
  }

  /** networks.yaml is safe and sudo will not ask, checked once. */
  #validate(): Promise<void> {
    const { config, host } = this.#o;
    this.#validated ??= (async () => {
      validateNetworksSecurity(config, host);
      await verifySudoAccess(config, config.paths.sudoers, host);
    })();
    return this.#validated;
  }

  /** Creates varRun as root and checks that the daemon group may write it. */
  async #makeVarRun(): Promise<void> {
    const { config, host } = this.#o;
    await this.#run(mkdirCommand(config));
    const facts = host.lstat(config.paths.varRun);
    const daemon = host.account("daemon");
    if (!facts || (facts.mode & 0o20) === 0 || facts.gid !== daemon.gid) {
      throw new LimaError({
        summary: `${
          quote(config.paths.varRun)
        } doesn't seem to be writable by the daemon (gid:${daemon.gid}) group`,
      });
    }
  }

  async #spawn(name: string): Promise<Daemon> {
    const { config, home, host } = this.#o;
    await this.#makeVarRun();
    await Deno.mkdir(`${home}/_networks`, { recursive: true, mode: 0o755 });
    const argv = this.#sudo(startCommand(config, name));
    const stdout = logFile(home, name, "stdout");
    const stderr = logFile(home, name, "stderr");
    for (const file of [stdout, stderr]) {
      await Deno.remove(file).catch(() => {});
      await Deno.writeTextFile(file, "");
    }
    logger.info(
      `Starting ${quote(SOCKET_VMNET)} daemon for ${quote(name)} network: ${
        argsText(argv)
      }`,
    );
    // The daemon runs in varRun: a cwd it cannot read (~/Downloads is 0700) makes getcwd fail.
    return await host.spawn(argv, { cwd: config.paths.varRun, stdout, stderr });
  }

  /** Waits for the PID file: "started", "stuck", or the exit status (retried). */
  async #waitForPidFile(daemon: Daemon, file: string): Promise<string> {
    const { host } = this.#o;
    let exit: number | undefined;
    daemon.exited.then((code) => exit = code);
    for (let waited = 0;; waited += POLL_MS) {
      if (host.readPid(file) !== 0) return "started";
      if (exit !== undefined) return `exit status ${exit}`;
      if (waited >= START_TIMEOUT_MS) {
        daemon.kill();
        return "stuck";
      }
      await host.sleep(POLL_MS);
    }
  }

  #stderrHint(name: string): string {
    const file = logFile(this.#o.home, name, "stderr");
    try {
      const text = Deno.readTextFileSync(file).trim();
      if (text) return ` (stderr: ${text})`;
    } catch {
      // Reported as the file to look at.
    }
    return ` (check ${quote(file)})`;
  }

  /** Makes sure the daemon of network NAME runs. */
  async start(name: string): Promise<void> {
    const { config, host } = this.#o;
    logger.debug(`Make sure ${quote(name)} network is running`);
    await this.#validate();
    if (!isSocketVMNetInstalled(config, host)) {
      throw new LimaError({
        summary: `daemon ${quote(SOCKET_VMNET)} needs to be installed`,
      });
    }
    const file = pidFile(config, name);
    if (host.readPid(file) !== 0) return;
    logger.info(`Starting ${SOCKET_VMNET} daemon for ${quote(name)} network`);
    let last = "";
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (attempt > 1) {
        const backoff = 1000 * 2 ** (attempt - 2);
        logger.info(
          `Retrying ${SOCKET_VMNET} daemon for ${
            quote(name)
          } network (attempt ${attempt}/${MAX_ATTEMPTS}, waiting ${
            backoff / 1000
          }s): ${last}`,
        );
        await host.sleep(backoff);
      }
      const outcome = await this.#waitForPidFile(await this.#spawn(name), file);
      if (outcome === "started") return;
      if (outcome === "stuck") {
        throw new LimaError({
          summary: `${SOCKET_VMNET} daemon for ${
            quote(name)
          } network did not write its PID file within 30s but is still running${
            this.#stderrHint(name)
          }`,
        });
      }
      last = `daemon exited before writing its PID file: ${outcome}`;
    }
    throw new LimaError({
      summary: `${SOCKET_VMNET} daemon for ${
        quote(name)
      } network failed to start after ${MAX_ATTEMPTS} attempts: ${last}${
        this.#stderrHint(name)
      }`,
    });
  }

  /** Makes sure the daemon of network NAME does not run. */
  async stop(name: string): Promise<void> {
    const { config, host } = this.#o;
    logger.debug(`Make sure ${quote(name)} network is stopped`);
    // Checked only when a daemon runs: stop is reached without socket_vmnet installed.
    if (!isSocketVMNetInstalled(config, host)) return;
    const file = pidFile(config, name);
    if (host.readPid(file) !== 0) {
      logger.info(`Stopping ${SOCKET_VMNET} daemon for ${quote(name)} network`);
      await this.#validate();
      await this.#run(stopCommand(config, name));
    }
    // The socket goes away with the daemon; a start before that would fail.
    for (let waited = 0; host.readPid(file) !== 0; waited += POLL_MS) {
      if (waited >= STOP_WAIT_MS) {
        logger.info(
          `${quote(SOCKET_VMNET)} daemon for ${
            quote(name)
          } network still running after 5 seconds`,
        );
        break;
      }
      await host.sleep(POLL_MS);
    }
  }
}
