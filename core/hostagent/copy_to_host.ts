/**
 * `copyToHost` (Lima's `pkg/hostagent/hostagent.go`): guest files copied to the host once the
 * guest is ready.
 */
import { dirname, isAbsolute, join } from "node:path";
import type { LimaYAML } from "../config/schema.ts";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import type { SSHConnection } from "../ssh/client.ts";
import { shellQuote } from "../shell_quote.ts";
import { writeFileAtomic } from "../store/atomic_write.ts";
import { ifFound } from "../if_found.ts";

function hostPath(path: string, dir: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}

/** Copies each rule's guest file to its host path; CONNECT is only called when there are rules. */
export async function copyToHost(
  config: LimaYAML,
  dir: string,
  connect: () => Promise<SSHConnection>,
): Promise<void> {
  const rules = (config.copyToHost ?? []).filter((r) => r.guest && r.host);
  if (rules.length === 0) return;
  const conn = await connect();
  for (const rule of rules) {
    const guest = rule.guest!;
    const host = hostPath(rule.host!, dir);
    const cat = `env LANG=C LC_ALL=C cat ${shellQuote(guest)}`;
    let result = await conn.run(cat);
    let stderr = new TextDecoder().decode(result.stderr);
    if (result.code !== 0 && /Permission denied/.test(stderr)) {
      result = await conn.run(`sudo ${cat}`);
      stderr = new TextDecoder().decode(result.stderr);
    }
    if (result.code !== 0) {
      if (rule.skipIfMissing && /No such file or directory/.test(stderr)) {
        logger.info(`Guest file ${quote(guest)} does not exist, skipping`);
        continue;
      }
      throw new LimaError({
        summary: `failed to copy ${quote(guest)} from the guest to ${
          quote(host)
        }`,
        detail: stderr.trim() || `exit status ${result.code}`,
      });
    }
    await Deno.mkdir(dirname(host), { recursive: true });
    await writeFileAtomic(host, result.stdout, { mode: 0o644 });
    logger.info(`Copied guest file ${quote(guest)} to host ${quote(host)}`);
  }
}

/** Removes the host copies of the rules marked `deleteOnStop`. */
export async function removeCopiedFiles(
  config: LimaYAML,
  dir: string,
): Promise<void> {
  for (const rule of config.copyToHost ?? []) {
    if (!rule.deleteOnStop || !rule.host) continue;
    const host = hostPath(rule.host, dir);
    logger.info(`Deleting ${quote(host)}`);
    await ifFound(Deno.remove(host));
  }
}
