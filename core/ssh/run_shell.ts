/**
 * `limactl shell`: a login shell or a command in a running guest over the in-process SSH client,
 * with the working directory mapped from the host (Lima's `cmd/limactl/shell.go`). stdin, stdout
 * and stderr are streamed; the remote exit code is returned.
 */
import { homedir } from "node:os";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { sharedStdin } from "../stdin.ts";
import { driverFacts } from "../../plugins/driver_facts.ts";
import type { Select } from "../prompt.ts";
import { connect, type PtyOptions, type SSHConnection } from "./client.ts";
import { closeControlMaster } from "./control_master.ts";
import { runningInstance } from "./running_instance.ts";
import { DEFAULT_SHELL_ENV_BLOCK, preservedEnv } from "./shell_env.ts";
import { shellScript } from "./shell_script.ts";
import {
  syncBackSteps,
  type SyncDirs,
  syncDirs,
  syncIn,
} from "./shell_sync.ts";
import { syncBack } from "./sync_back.ts";
import { sshTarget } from "./target.ts";

export interface ShellOptions {
  /** `--instance`: then every positional argument belongs to the command. */
  instance?: string;
  /** The positional arguments: `INSTANCE [COMMAND...]`, or only the command with `instance`. */
  args: string[];
  shell?: string;
  workdir?: string;
  preserveEnv?: boolean;
  reconnect?: boolean;
  /** `--sync`: the host directory to copy into the guest and back. */
  sync?: string;
  /** Asks whether to copy `--sync`'s changes back; none when there is no terminal. */
  select?: Select;
}

/** Splits the positional arguments into the instance name and the command. */
export function shellTarget(
  options: Pick<ShellOptions, "instance" | "args">,
): { name: string; command: string[] } {
  if (options.instance !== undefined) {
    return { name: options.instance, command: options.args };
  }
  if (options.args.length === 0) {
    throw new LimaError({
      summary: "requires instance name as first argument",
    });
  }
  const [name, ...command] = options.args;
  if (command[0] === "--") command.shift();
  return { name, command };
}

function realPathOr(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

function currentDir(): string | undefined {
  try {
    return realPathOr(Deno.cwd());
  } catch (err) {
    logger.debug(`cannot determine the current directory: ${err}`);
    return undefined;
  }
}

/** The terminal to allocate: only when both stdin and stdout are terminals, as `ssh -t` does. */
function ptyOptions(): PtyOptions | undefined {
  if (!Deno.stdin.isTerminal() || !Deno.stdout.isTerminal()) return undefined;
  const { rows, columns } = Deno.consoleSize();
  return { term: Deno.env.get("TERM") || "xterm", rows, cols: columns };
}

/** Runs the shell or command; resolves to the remote exit code. */
export async function runShell(options: ShellOptions): Promise<number> {
  const { name, command } = shellTarget(options);
  if (["create", "start", "delete", "shell"].includes(command[0])) {
    logger.warn(`Perhaps you meant \`limactl ${command.join(" ")}\`?`);
  }
  const inst = await runningInstance(name);
  // An invalid LIMA_SHELLENV_* pattern is fatal once the instance is found running, as in Lima,
  // and before `--reconnect` or the login talks to the guest's SSH server.
  const env = options.preserveEnv
    ? preservedEnv({
      env: Deno.env.toObject(),
      defaultBlock: DEFAULT_SHELL_ENV_BLOCK,
    })
    : undefined;
  if (options.reconnect) await closeControlMaster(inst.dir);
  const config = inst.config!;
  const facts = await driverFacts(inst.vmType);
  const dirs: SyncDirs | undefined = options.sync
    ? syncDirs({
      dir: options.sync,
      hasMounts: (config.mounts ?? []).length > 0,
      vmType: inst.vmType,
      guestSeesHostFiles: facts.guestSeesHostFiles ?? false,
      workdir: options.workdir,
      guestHome: config.user?.home ?? "",
    })
    : undefined;
  const script = shellScript({
    workdir: options.workdir,
    syncDir: dirs?.guest,
    cwd: currentDir(),
    hostHome: realPathOr(homedir()),
    mountLocations: (config.mounts ?? []).map((m) =>
      realPathOr(m.location ?? "")
    ),
    guestSeesHostFiles: facts.guestSeesHostFiles,
    shell: options.shell,
    userShell: config.user?.shell ?? undefined,
    env,
    command,
  });
  logger.debug(`executing in instance ${name}: ${script}`);
  using conn = await connect(await sshTarget(inst), { retries: 2 });
  const sync = dirs && await syncIn(inst, conn, dirs);
  const code = await runScript(conn, script);
  // A failed command leaves the guest copy as it is, unsynced, as in Lima.
  if (sync && code === 0) await syncBack(syncBackSteps(sync), options.select);
  return code;
}

/** Runs SCRIPT with the terminal and streams of this process; resolves to its exit code. */
async function runScript(conn: SSHConnection, script: string): Promise<number> {
  const pty = ptyOptions();
  const colorterm = Deno.env.get("COLORTERM");
  if (pty) Deno.stdin.setRaw(true);
  const proc = await conn.start(script, {
    pty,
    env: colorterm ? { COLORTERM: colorterm } : undefined,
    // Shared, so that what is typed after the session (the question of --sync) is not lost.
    stdin: sharedStdin(),
    stdout: Deno.stdout.writable,
    stderr: Deno.stderr.writable,
  });
  const onResize = () => {
    const { rows, columns } = Deno.consoleSize();
    proc.resize(rows, columns);
  };
  if (pty) Deno.addSignalListener("SIGWINCH", onResize);
  try {
    return (await proc.status).code;
  } finally {
    if (pty) {
      Deno.removeSignalListener("SIGWINCH", onResize);
      Deno.stdin.setRaw(false);
    }
  }
}
