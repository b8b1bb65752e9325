/**
 * The script `limactl shell` runs in the guest: change directory, then exec a login shell (Lima's
 * `cmd/limactl/shell.go`).
 */
import { shellJoin, shellQuote } from "../shell_quote.ts";

export interface ShellScriptInput {
  /** `--workdir`: must exist in the guest. */
  workdir?: string;
  /** `--sync`: the guest copy of the synced directory, where the shell starts. */
  syncDir?: string;
  /** The host's working directory with symlinks resolved; undefined when unknown. */
  cwd?: string;
  /** The host home directory with symlinks resolved. */
  hostHome: string;
  /** Host locations of the instance's mounts, symlinks resolved. */
  mountLocations: string[];
  /** Whether the guest sees the host's file system beyond the mounts (its driver declares so). */
  guestSeesHostFiles?: boolean;
  /** `--shell`. */
  shell?: string;
  /** `user.shell` of the instance. */
  userShell?: string;
  /** Variables to set for the shell (`--preserve-env`), in order. */
  env?: [string, string][];
  /** The command and its arguments; an interactive login shell when empty. */
  command: string[];
}

function isWithin(path: string, dir: string): boolean {
  if (path === dir || dir === "/") return true;
  return path.startsWith(dir.endsWith("/") ? dir : dir + "/");
}

/** The `cd` prelude: where the guest shell starts. */
export function changeDirCommand(input: ShellScriptInput): string {
  if (input.workdir !== undefined && input.workdir !== "") {
    return `cd ${shellQuote(input.workdir)} || exit 1`;
  }
  // `--sync` excludes `--workdir`, mounts and a guest seeing host files: its copy comes first.
  if (input.syncDir !== undefined) return `cd ${shellQuote(input.syncDir)}`;
  const cwd = input.cwd;
  if (
    cwd !== undefined &&
    (input.guestSeesHostFiles ||
      input.mountLocations.some((loc) => isWithin(cwd, loc)))
  ) {
    return `cd ${shellQuote(cwd)} || cd ${shellQuote(input.hostHome)}`;
  }
  if (input.mountLocations.some((loc) => isWithin(input.hostHome, loc))) {
    return `cd ${shellQuote(input.hostHome)}`;
  }
  // Nothing of the host is visible: start in the guest user's home.
  return "false";
}

/** The whole script, e.g. `cd '/x' || cd '/home/me' ; exec /bin/bash -l -c 'echo hi'`. */
export function shellScript(input: ShellScriptInput): string {
  let shell = '"$SHELL"';
  if (input.shell) shell = shellQuote(input.shell);
  else if (input.userShell) shell = shellQuote(input.userShell);
  const env = input.env?.length
    ? `env ${input.env.map(([k, v]) => shellQuote(`${k}=${v}`)).join(" ")} `
    : "";
  let script = `${changeDirCommand(input)} ; exec ${env}${shell} -l`;
  if (input.command.length > 0) {
    script += ` -c ${shellQuote(shellJoin(input.command))}`;
  }
  return script;
}
