import { ifFoundSync } from "../if_found.ts";
/**
 * PID files of the host agent and the VM driver, read the way status needs them (`ReadPIDFile` in
 * Lima's `pkg/store/instance.go`).
 */

/**
 * Whether process PID exists, with `kill(pid, 0)` semantics: nothing is delivered
 * to the process; a process we may not signal still counts as alive.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    // Signal 0 only checks for existence; Deno's type lists named signals only.
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return !isZombie(pid);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    if (err instanceof Deno.errors.PermissionDenied) return true;
    throw err;
  }
}

/**
 * A killed process whose parent has not reaped it still answers signal 0. Where nobody
 * reaps orphans (a container whose PID 1 is not an init), a killed host agent or VM would
 * otherwise look alive forever. Linux only; elsewhere such processes are reaped.
 */
function isZombie(pid: number): boolean {
  if (Deno.build.os !== "linux") return false;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The state follows the parenthesised command name, which may itself contain ")".
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) ===
      "Z";
  } catch {
    return false;
  }
}

/**
 * The PID recorded in PATH, or 0 when there is no file or the process has exited
 * (the stale file is then removed). Unreadable or garbage content throws. Synchronous:
 * status reads a few tiny files per instance, where async file calls cost more than the I/O.
 */
export function readPidFile(path: string): number {
  const text = ifFoundSync(() => Deno.readTextFileSync(path));
  if (text === undefined) return 0;
  const trimmed = text.trim();
  const pid = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new Error(
      `invalid PID file ${path}: ${
        JSON.stringify(trimmed)
      } is not a process ID`,
    );
  }
  if (isProcessAlive(pid)) return pid;
  try {
    Deno.removeSync(path);
  } catch {
    // Already gone, or not ours to remove: the PID is stale either way.
  }
  return 0;
}
