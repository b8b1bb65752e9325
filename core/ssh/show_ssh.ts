/** `limactl show-ssh` (deprecated): an instance's OpenSSH options in one of four formats. */
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { formatSSHOptions, parseSSHFormat } from "./format.ts";
import { existingInstance } from "./running_instance.ts";
import { instanceSSHOptions } from "./target.ts";

/** The text `show-ssh --format FORMAT NAME` prints (ends in a newline). */
export async function showSSH(name: string, format: string): Promise<string> {
  const fmt = parseSSHFormat(format);
  const inst = await existingInstance(name);
  if (!inst.config) {
    throw new LimaError({
      summary: `instance ${quote(name)} has errors`,
      detail: inst.errors.join("; ") || undefined,
    });
  }
  logger.warn(
    `\`limactl show-ssh\` is deprecated. Instead, use \`ssh -F ${inst.sshConfigFile} ${inst.hostname}\`.`,
  );
  const options = await instanceSSHOptions(inst);
  return formatSSHOptions(fmt, inst.hostname, [
    ...options,
    "Hostname=127.0.0.1",
    `Port=${inst.sshLocalPort}`,
  ]);
}
