/** `INSTDIR/ssh.config`: the connection settings for users of OpenSSH (`ssh -F FILE lima-NAME`). */
import { join } from "node:path";
import { writeFileAtomic } from "../store/atomic_write.ts";
import { hostnameOf } from "../store/names.ts";
import { InstanceFiles } from "../store/paths.ts";
import { formatSSHOptions } from "./format.ts";

const HEADER = `# This SSH config file can be passed to 'ssh -F'.
# This file is created by Lima, but not used by Lima itself currently.
# Modifications to this file will be lost on restarting the Lima instance.
`;

export interface SSHConfigInput {
  /** The instance name; the host alias is its host name, `lima-NAME`. */
  name: string;
  /** The options of `sshOptions`, in order. */
  options: string[];
  /** The forwarded SSH port on 127.0.0.1. */
  port: number;
}

/** The text of `ssh.config`. */
export function sshConfigText(input: SSHConfigInput): string {
  return HEADER + formatSSHOptions("config", hostnameOf(input.name), [
    ...input.options,
    "Hostname=127.0.0.1",
    `Port=${input.port}`,
  ]);
}

/** Writes `INSTDIR/ssh.config` (mode 0600, replaced atomically); returns its path. */
export async function writeSSHConfig(
  instDir: string,
  input: SSHConfigInput,
): Promise<string> {
  const path = join(instDir, InstanceFiles.sshConfig);
  await writeFileAtomic(path, sshConfigText(input), { mode: 0o600 });
  await Deno.chmod(path, 0o600);
  return path;
}
