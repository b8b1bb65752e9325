/** Finding an executable as Go's `exec.LookPath` does: a path with a slash is checked, a name is searched in PATH. */
import { join } from "node:path";

/** Whether PATH names an executable regular file. */
export function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && (info.mode === null || (info.mode & 0o111) !== 0);
  } catch {
    return false;
  }
}

/** The executable NAME names (a path, or a name found in $PATH), or undefined. */
export function lookPath(name: string): string | undefined {
  if (name.includes("/")) return isExecutableFile(name) ? name : undefined;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    const path = join(dir, name);
    if (isExecutableFile(path)) return path;
  }
  return undefined;
}
