/** The OpenSSH ControlMaster that `ssh.config` users and `limactl copy` share for an instance. */
import { join } from "node:path";
import { InstanceFiles } from "../store/paths.ts";

/** Closes the ControlMaster of the instance at INST_DIR, if any, and removes its socket. */
export async function closeControlMaster(instDir: string): Promise<void> {
  const sock = join(instDir, InstanceFiles.sshSock);
  try {
    await Deno.lstat(sock);
  } catch {
    return;
  }
  await new Deno.Command("ssh", {
    args: [
      "-F",
      "/dev/null",
      "-o",
      `ControlPath=${sock}`,
      "-O",
      "exit",
      "lima",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output().catch(() => undefined);
  await Deno.remove(sock).catch(() => {});
}
