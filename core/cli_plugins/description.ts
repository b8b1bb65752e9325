/** A CLI plugin's one-line description (Lima's `extractDescFromScript`). */
import { basename } from "node:path";
import { logger } from "../log.ts";

const DESCRIPTION = /<limactl-desc>(.*?)<\/limactl-desc>/;

/**
 * The text between `<limactl-desc>` and `</limactl-desc>` in a script (a file starting with
 * `#!`), trimmed of spaces; "" for binaries, unreadable files and scripts without one.
 */
export function pluginDescription(path: string): string {
  let content: string;
  try {
    if (!startsWithShebang(path)) return "";
    content = new TextDecoder().decode(Deno.readFileSync(path));
  } catch (err) {
    logger.debug(`Failed to read plugin script ${path}: ${err}`);
    return "";
  }
  const match = DESCRIPTION.exec(content);
  if (!match) {
    logger.debug(`Plugin ${basename(path)}: no <limactl-desc> found in script`);
    return "";
  }
  return match[1].replace(/^ +| +$/g, "");
}

/** Whether PATH starts with `#!`; only the first bytes are read, so a large binary costs nothing. */
function startsWithShebang(path: string): boolean {
  const file = Deno.openSync(path);
  try {
    const head = new Uint8Array(2);
    const n = file.readSync(head) ?? 0;
    return n === 2 && head[0] === 0x23 && head[1] === 0x21;
  } finally {
    file.close();
  }
}
