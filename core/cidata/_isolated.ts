/**
 * Test helpers that run guest scripts for real on this machine, in a private mount namespace
 * (`unshare`) so that the tmpfs mounts the scripts are given hide the host's own files.
 * They need root; `canIsolate` says whether this machine allows them.
 */
import { dirname, join } from "node:path";
import type { IsoFile } from "./iso9660.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Whether `isolated` can run here: as root, with unshare. */
export const canIsolate: boolean = Deno.uid() === 0 &&
  await new Deno.Command("unshare", { args: ["--mount", "true"] }).output()
    .then((o) => o.success, () => false);

/** Writes FILES as a seed directory (what the guest sees at /mnt/lima-cidata). */
export async function writeSeed(dir: string, files: IsoFile[]): Promise<void> {
  for (const file of files) {
    const path = join(dir, file.path);
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeFile(path, file.data);
    await Deno.chmod(path, file.mode ?? 0o644);
  }
}

/** Runs the shell LINES in a private mount namespace. */
export async function isolated(lines: string[]): Promise<ScriptResult> {
  const out = await new Deno.Command("unshare", {
    args: ["--mount", "--propagation", "private", "sh", "-c", lines.join("\n")],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}
