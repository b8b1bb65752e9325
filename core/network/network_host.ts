/**
 * What the socket_vmnet code asks of the host, in one object so that tests on any OS can play
 * macOS: its OS, whether an executable is installed, file ownership, the root and daemon
 * accounts, and running sudo.
 */
import { isExecutableFile } from "../look_path.ts";
import { sleep } from "../sleep.ts";
import { readPidFile } from "../store/pid_file.ts";

/** What Lima's path checks read of one file (`os.Lstat`). */
export interface FileFacts {
  isDirectory: boolean;
  isSymlink: boolean;
  uid: number;
  gid: number;
  /** Permission bits. */
  mode: number;
}

/** A user account and its primary group, as Lima's `osutil.LookupUser` returns it. */
export interface Account {
  user: string;
  uid: number;
  group: string;
  gid: number;
}

/** What a command printed and how it ended. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A daemon started in the background. */
export interface Daemon {
  /** Resolves with the exit code when it ends. */
  exited: Promise<number>;
  kill(): void;
}

export interface NetworkHost {
  os: typeof Deno.build.os;
  /** Whether PATH is an executable file (Go's `exec.LookPath` on an absolute path). */
  isExecutable(path: string): boolean;
  /** The facts of PATH itself (not following a symlink), or undefined when it does not exist. */
  lstat(path: string): FileFacts | undefined;
  /** The `root` or `daemon` account. */
  account(name: "root" | "daemon"): Account;
  /** Runs ARGV to its end. */
  run(argv: string[]): Promise<CommandResult>;
  /** Starts ARGV in DIR with its output appended to the two log files. */
  spawn(
    argv: string[],
    options: { cwd: string; stdout: string; stderr: string },
  ): Promise<Daemon>;
  /** The program name Lima's hints show (Go's `os.Args[0]`). */
  programName: string;
  /** The live PID in a PID file, 0 when none (Lima's `store.ReadPIDFile`). */
  readPid(path: string): number;
  sleep(ms: number): Promise<void>;
}

/**
 * macOS's fixed accounts: `root` (uid 0, group `wheel` gid 0) and `daemon` (uid 1, group
 * `daemon` gid 1). They are part of the OS; looking them up through Directory Services would
 * only ever give these values.
 */
const MACOS_ACCOUNTS: Record<"root" | "daemon", Account> = {
  root: { user: "root", uid: 0, group: "wheel", gid: 0 },
  daemon: { user: "daemon", uid: 1, group: "daemon", gid: 1 },
};

function lstatFacts(path: string): FileFacts | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  return {
    isDirectory: info.isDirectory,
    isSymlink: info.isSymlink,
    uid: info.uid ?? 0,
    gid: info.gid ?? 0,
    mode: (info.mode ?? 0) & 0o7777,
  };
}

async function run(argv: string[]): Promise<CommandResult> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

function spawn(
  argv: string[],
  options: { cwd: string; stdout: string; stderr: string },
): Promise<Daemon> {
  // Deno cannot hand a file to a child as its stdout, so a shell does the redirection; the
  // daemon then keeps writing its logs after limactl has exited.
  const child = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'out=$1 err=$2; shift 2; exec "$@" >>"$out" 2>>"$err" </dev/null',
      "sh",
      options.stdout,
      options.stderr,
      ...argv,
    ],
    cwd: options.cwd,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  return Promise.resolve({
    exited: child.status.then((s) => s.code),
    kill: () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    },
  });
}

/** The host this process runs on. */
export function systemHost(): NetworkHost {
  return {
    os: Deno.build.os,
    isExecutable: isExecutableFile,
    lstat: lstatFacts,
    account: (name) => MACOS_ACCOUNTS[name],
    run,
    spawn,
    programName: Deno.build.standalone ? Deno.execPath() : "limactl",
    readPid: readPidFile,
    sleep,
  };
}
