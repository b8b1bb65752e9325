/**
 * `limactl copy --backend rsync`: the host's rsync over OpenSSH with the instance's options
 * (Lima's `pkg/copytool/rsync.go`), for resumable and incremental copies.
 */
import { LimaError } from "../errors.ts";
import { lookPath } from "../look_path.ts";
import { quote } from "../quote.ts";
import { shellJoin } from "../shell_quote.ts";
import type { Instance } from "../instance/record.ts";
import type { CopyPath } from "./copy_path.ts";
import { runningInstance } from "./running_instance.ts";
import { guestLogin, instanceSSHOptions } from "./target.ts";

export interface RsyncOptions {
  recursive?: boolean;
  verbose?: boolean;
  /** Further rsync flags, after Lima's own (its copytool's `AdditionalArgs`). */
  extraArgs?: string[];
  /** Collect stdout and return it rather than showing it. */
  captureOutput?: boolean;
}

/** Copies PATHS (sources then target) with rsync; throws when rsync is missing on either side. */
export async function rsyncCopy(
  paths: CopyPath[],
  options: RsyncOptions = {},
): Promise<void> {
  const plan = await planRsync(paths);
  if ("problem" in plan) throw plan.problem;
  await runRsync(paths, options, plan.inst);
}

/**
 * Whether rsync can copy PATHS (Lima's `pkg/copytool/copytool.go`): the host has it, and so
 * does the one guest they name, if any. Gives that guest, or why rsync cannot.
 */
export async function planRsync(
  paths: CopyPath[],
): Promise<{ inst?: Instance } | { problem: LimaError }> {
  if (!lookPath("rsync")) {
    return {
      problem: new LimaError({
        summary: "rsync not found on host",
        hint: "install rsync, or use --backend=scp",
      }),
    };
  }
  const remote = paths.flatMap((p) => p.instance ?? []);
  if (remote.length > 1) {
    return {
      problem: new LimaError({
        summary: "rsync cannot copy between two guest paths",
        hint: "use --backend=scp",
      }),
    };
  }
  const inst = remote.length ? await runningInstance(remote[0]) : undefined;
  if (inst && !(await guestHasRsync(inst))) {
    return {
      problem: new LimaError({
        summary: `rsync not available on guest ${quote(inst.name)}`,
        hint: "install rsync in the guest, or use --backend=scp",
      }),
    };
  }
  return { inst };
}

/**
 * Runs the host's rsync over PATHS, the guest side (if any) reached over SSH to INST; resolves
 * to its stdout when OPTIONS ask to capture it. Throws when rsync fails.
 */
export async function runRsync(
  paths: CopyPath[],
  options: RsyncOptions,
  inst?: Instance,
): Promise<string> {
  const remote = inst &&
    { ssh: await sshCommand(inst), login: guestLogin(inst) };
  const child = new Deno.Command(lookPath("rsync") ?? "rsync", {
    args: rsyncArgs(paths, options, remote),
    stdin: "null",
    stdout: options.captureOutput ? "piped" : "inherit",
  }).spawn();
  const stdout = options.captureOutput
    ? new Response(child.stdout).text()
    : Promise.resolve("");
  const [status, text] = await Promise.all([child.status, stdout]);
  if (!status.success) {
    throw new LimaError({ summary: `rsync exited with status ${status.code}` });
  }
  return text;
}

/** `ssh` with the instance's options and port, as one argv. */
async function sshCommand(inst: Instance): Promise<string[]> {
  return [
    "ssh",
    ...(await instanceSSHOptions(inst)).flatMap((o) => ["-o", o]),
    "-p",
    String(inst.sshLocalPort),
  ];
}

async function guestHasRsync(inst: Instance): Promise<boolean> {
  const [exe, ...args] = await sshCommand(inst);
  const out = await new Deno.Command(exe, {
    args: [...args, guestLogin(inst), "command -v rsync >/dev/null 2>&1"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}

/**
 * rsync's arguments. With -r a source without a trailing slash gets one, and a slash on one
 * side is dropped from the others, so that directories land as `scp -r` puts them.
 */
export function rsyncArgs(
  paths: CopyPath[],
  options: RsyncOptions,
  remote?: { ssh: string[]; login: string },
): string[] {
  const args = ["-a", ...(options.verbose ? ["-v", "--progress"] : ["-q"])];
  if (options.recursive) args.push("-r");
  args.push(...options.extraArgs ?? []);
  if (remote) args.push("-e", shellJoin(remote.ssh));
  const adjusted = options.recursive ? scpSlashes(paths) : paths;
  // A path starting with a dash is a path, not an option.
  args.push("--");
  for (const p of adjusted) {
    args.push(
      p.instance === undefined ? p.path : `${remote?.login}:${p.path}`,
    );
  }
  return args;
}

/** Lima's trailing-slash rule for recursive copies, applied in order over every path. */
function scpSlashes(paths: CopyPath[]): CopyPath[] {
  const out = paths.map((p) => ({ ...p }));
  out.forEach((p, i) => {
    if (!p.path.endsWith("/")) {
      p.path += "/";
    } else if (p.instance !== undefined) {
      out.forEach((q, j) => {
        if (j !== i) q.path = q.path.replace(/\/$/, "");
      });
    } else {
      p.path = p.path.slice(0, -1);
    }
  });
  return out;
}
