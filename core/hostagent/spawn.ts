/**
 * Starting `limactl hostagent` (Lima's `StartWithPaths`, `pkg/instance/start.go`): this same
 * program, re-invoked as a detached process (its own session, so it outlives `limactl start` and
 * the terminal) with stdout and stderr in `ha.stdout.log` and `ha.stderr.log`.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InstanceFiles, limaHome } from "../store/paths.ts";

/**
 * The command line that runs this program again: the executable alone for a compiled
 * binary; `deno run -A MAIN` when running from source (the executable is then `deno`).
 */
export function selfCommand(): string[] {
  if (Deno.build.standalone) return [Deno.execPath()];
  const main = Deno.mainModule.startsWith("file:")
    ? fileURLToPath(Deno.mainModule)
    : Deno.mainModule;
  return [Deno.execPath(), "run", "--allow-all", "--no-prompt", main];
}

export interface SpawnOptions {
  name: string;
  dir: string;
  debug?: boolean;
  progress?: boolean;
  /** The nerdctl-full archive to put into the seed (containerd instances). */
  nerdctlArchive?: string;
  /** Run attached, logging to the terminal when stdin is one (`start --foreground`). */
  foreground?: boolean;
  /** The program to re-invoke (default `selfCommand()`). */
  self?: string[];
}

export interface SpawnedHostAgent {
  pid: number;
  /** Settles with a description of how the process ended. */
  exited: Promise<string>;
  /** Settles with how the process ended. */
  status: Promise<Deno.CommandStatus>;
}

/**
 * `limactl [--debug] hostagent --pidfile … --socket … [--nerdctl-archive …] [--progress] NAME`
 * for instance DIR.
 */
export function hostAgentArgs(o: SpawnOptions): string[] {
  return [
    ...(o.debug ? ["--debug"] : []),
    "hostagent",
    "--pidfile",
    join(o.dir, InstanceFiles.hostAgentPID),
    "--socket",
    join(o.dir, InstanceFiles.hostAgentSock),
    ...(o.nerdctlArchive ? ["--nerdctl-archive", o.nerdctlArchive] : []),
    ...(o.progress ? ["--progress"] : []),
    o.name,
  ];
}

/** Truncates the two log files and starts the host agent. */
export async function spawnHostAgent(
  o: SpawnOptions,
): Promise<SpawnedHostAgent> {
  const stdout = join(o.dir, InstanceFiles.hostAgentStdout);
  const stderr = join(o.dir, InstanceFiles.hostAgentStderr);
  for (const file of [stdout, stderr]) {
    await Deno.remove(file).catch(() => {});
    await Deno.writeTextFile(file, "", { mode: 0o644 });
  }
  const [program, ...prefix] = o.self ?? selfCommand();
  const args = [...prefix, ...hostAgentArgs(o)];
  // Relative LIMA_HOME must mean the same directory to the child.
  const env = { LIMA_HOME: limaHome() };
  const toTerminal = o.foreground && Deno.stdin.isTerminal();
  let child: Deno.ChildProcess;
  if (toTerminal) {
    child = new Deno.Command(program, {
      args,
      env,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } else {
    // Deno cannot hand a file to a child as its stdout, so a shell does the redirection.
    child = new Deno.Command("/bin/sh", {
      args: [
        "-c",
        'out=$1 err=$2; shift 2; exec "$@" >>"$out" 2>>"$err" </dev/null',
        "sh",
        stdout,
        stderr,
        program,
        ...args,
      ],
      env,
      stdin: "null",
      stdout: "null",
      stderr: "null",
      detached: !o.foreground,
    }).spawn();
  }
  if (!o.foreground) child.unref();
  const exited = child.status.then((s) =>
    s.signal ? `signal ${s.signal}` : `exit status ${s.code}`
  );
  return { pid: child.pid, exited, status: child.status };
}
