/**
 * What autostart asks of the host, in one object so that tests on any OS can play macOS or a
 * Linux host running systemd: the OS, the environment, the user id, whether systemd runs, the
 * command line of this program, and running `systemctl`, `launchctl` or `sudo`.
 */
import { selfCommand } from "../hostagent/spawn.ts";

export interface RunOptions {
  stdin?: boolean;
  quiet?: boolean;
}

export interface AutostartHost {
  os: typeof Deno.build.os;
  env(name: string): string | undefined;
  /** The real user id (launchd's `gui/UID` domain). */
  uid(): number;
  /** Whether systemd is the init system (go-systemd's `util.IsRunningSystemd`). */
  systemdRunning(): boolean;
  /** The command line that runs this program (`autostartProgram`). */
  program(): string[];
  /**
   * Runs ARGV with this process's stdout and stderr (and stdin when STDIN, as `sudo` needs for a
   * password prompt; none of them when QUIET); throws `CommandError` when it cannot be run or
   * exits non-zero.
   */
  run(argv: string[], options?: RunOptions): Promise<void>;
  /** Where LaunchDaemons live (`/Library/LaunchDaemons`). */
  launchDaemonsDir: string;
}

/** A command that could not run or failed, worded as Go's `exec` errors, after the command line. */
export class CommandError extends Error {}

/**
 * The directory whose presence means systemd is the init system (`sd_booted()`). A test can point
 * `_LIMACTL_SYSTEMD_SYSTEM_DIR` elsewhere to play a host with or without systemd.
 */
export function systemdSystemDir(): string {
  return Deno.env.get("_LIMACTL_SYSTEMD_SYSTEM_DIR") || "/run/systemd/system";
}

function isDirectory(path: string): boolean {
  try {
    return Deno.lstatSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * The command line an autostart entry runs, to which it adds `start NAME --foreground`. Lima
 * writes `os.Executable()`; here that is the executable of a `deno compile`d limactl, and
 * `deno run --allow-all --no-prompt …/main.ts` when running from a checkout (`deno run -A main.ts`,
 * `deno task limactl` or a `deno install`ed script), the `deno` being this one's absolute path:
 * the same command line the host agent is started with (`selfCommand`).
 */
export function autostartProgram(): string[] {
  return selfCommand();
}

async function run(
  argv: string[],
  options: RunOptions = {},
): Promise<void> {
  const output = options.quiet ? "null" : "inherit";
  let status: Deno.CommandStatus;
  try {
    status = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: options.stdin ? "inherit" : "null",
      stdout: output,
      stderr: output,
    }).spawn().status;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new CommandError(
        `exec: ${JSON.stringify(argv[0])}: executable file not found in $PATH`,
      );
    }
    throw new CommandError(`${argv.join(" ")}: ${String(err)}`);
  }
  if (status.success) return;
  throw new CommandError(
    `${argv.join(" ")}: ${
      status.signal ? `signal: ${status.signal}` : `exit status ${status.code}`
    }`,
  );
}

/** The host this process runs on. */
export function systemHost(): AutostartHost {
  return {
    os: Deno.build.os,
    env: (name) => Deno.env.get(name),
    uid: () => Deno.uid() ?? 0,
    systemdRunning: () => isDirectory(systemdSystemDir()),
    program: autostartProgram,
    run,
    launchDaemonsDir: "/Library/LaunchDaemons",
  };
}
