/**
 * Host paths as Lima's MCP tools map them into the guest (Lima's `pkg/mcp/toolset`): an
 * absolute host path is the same path in the guest, where the instance's mounts put the
 * host's directories; relative paths are refused.
 */
import { isAbsolute } from "node:path";
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";

/** The guest path of HOST_PATH, which must be absolute. */
export function guestPathOf(hostPath: string): string {
  if (hostPath === "") throw new LimaError({ summary: "path is empty" });
  if (!isAbsolute(hostPath)) {
    throw new LimaError({
      summary: `expected an absolute path, got a relative path: ${
        quote(hostPath)
      }`,
    });
  }
  return hostPath;
}

/**
 * The host's working directory as Go's `os.Getwd` gives it: `$PWD` when it names the current
 * directory (so a path through a symlink stays as the user typed it), else the real path.
 */
export function hostWorkingDir(): string {
  const pwd = Deno.env.get("PWD");
  if (pwd && isAbsolute(pwd)) {
    try {
      const a = Deno.statSync(pwd), b = Deno.statSync(".");
      if (a.dev === b.dev && a.ino === b.ino) return pwd;
    } catch {
      // Fall back to the real path.
    }
  }
  return Deno.cwd();
}
