/** Where things live under `LIMA_HOME` (spec §4). */
import { join, resolve } from "node:path";
import { homedir } from "node:os";

/** `LIMA_HOME`, else `~/.lima`; symlinks in an existing path are resolved. */
export function limaHome(): string {
  const env = Deno.env.get("LIMA_HOME");
  const dir = env ? resolve(env) : join(homedir(), ".lima");
  try {
    return Deno.realPathSync(dir);
  } catch {
    return dir;
  }
}

/** `LIMA_HOME/_config`: the user key pair, default/override/base/networks YAML. */
export function configDir(): string {
  return join(limaHome(), "_config");
}

/** `LIMA_HOME/_disks`: additional disks. */
export function disksDir(): string {
  return join(limaHome(), "_disks");
}

/** `LIMA_HOME/_templates`: user templates, first in the default template search path. */
export function userTemplatesDir(): string {
  return join(limaHome(), "_templates");
}

/** `LIMA_HOME/_locks`: per-instance lock files of commands that change an instance. */
export function locksDir(): string {
  return join(limaHome(), "_locks");
}

/** The directory of instance NAME (the name must already be validated). */
export function instanceDir(name: string): string {
  return join(limaHome(), name);
}

/** File names inside an instance directory (spec §4.3). */
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
