/**
 * Where things live under `LIMA_HOME` (Lima's `pkg/limatype/dirnames` and `filenames` packages).
 * No `node:` modules here: `limactl list` reads these paths on every run, and the first `node:`
 * import costs more than the listing.
 */
import { LimaError } from "../errors.ts";

/** The platform's path separator. */
export const SEP = Deno.build.os === "windows" ? "\\" : "/";

/**
 * DIR and NAMES joined with the platform separator. Only for names that are already known
 * to be single, plain path segments (instance names, fixed file names); arbitrary user
 * paths need `node:path`.
 */
export function joinPath(dir: string, ...names: string[]): string {
  let base = dir;
  // A trailing separator (`HOME=/home/me/`) is not doubled; a root directory stays one.
  while (base.length > 1 && (base.endsWith("/") || base.endsWith(SEP))) {
    base = base.slice(0, -1);
  }
  const sep = base.endsWith("/") || base.endsWith(SEP) ? "" : SEP;
  return names.length === 0 ? base : base + sep + names.join(SEP);
}

/** The user's home directory: `HOME` (`USERPROFILE` on Windows). */
export function homeDir(): string {
  const variable = Deno.build.os === "windows" ? "USERPROFILE" : "HOME";
  const home = Deno.env.get(variable);
  if (!home) {
    throw new LimaError({
      summary: "cannot find the home directory",
      detail: `$${variable} is not set`,
      hint: "set LIMA_HOME or " + variable,
    });
  }
  return home;
}

/**
 * `LIMA_HOME`, else `~/.lima`. When the directory exists, symlinks in its path are resolved
 * (and it is made absolute); otherwise it is used as given, as Lima does.
 */
export function limaHome(): string {
  const dir = Deno.env.get("LIMA_HOME") || joinPath(homeDir(), ".lima");
  try {
    return Deno.realPathSync(dir);
  } catch {
    return dir;
  }
}

/** `LIMA_HOME/_config`: the user key pair, default/override/base/networks YAML. */
export function configDir(): string {
  return joinPath(limaHome(), "_config");
}

/** `LIMA_HOME/_disks`: additional disks. */
export function disksDir(): string {
  return joinPath(limaHome(), "_disks");
}

/** `LIMA_HOME/_templates`: user templates, first in the default template search path. */
export function userTemplatesDir(): string {
  return joinPath(limaHome(), "_templates");
}

/** `LIMA_HOME/_locks`: per-instance lock files of commands that change an instance. */
export function locksDir(): string {
  return joinPath(limaHome(), "_locks");
}

/** The directory of instance NAME (the name must already be validated). */
export function instanceDir(name: string): string {
  return joinPath(limaHome(), name);
}

/** File names inside an instance directory (Lima's `pkg/limatype/filenames/filenames.go`). */
export const InstanceFiles = {
  limaYAML: "lima.yaml",
  limaVersion: "lima-version",
  cloudConfig: "cloud-config.yaml",
  protected: "protected",
  image: "image",
  disk: "disk",
  iso: "iso",
  cidataISO: "cidata.iso",
  sshConfig: "ssh.config",
  sshSock: "ssh.sock",
  hostAgentPID: "ha.pid",
  hostAgentSock: "ha.sock",
  hostAgentStdout: "ha.stdout.log",
  hostAgentStderr: "ha.stderr.log",
  serialLog: "serial.log",
  qmpSock: "qmp.sock",
} as const;
