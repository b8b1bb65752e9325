/** The directories searched for CLI plugins, in Lima's order (Lima's `pkg/plugins/plugins.go`). */
import { delimiter } from "node:path";
import { libexecDirs } from "./prefix_dirs.ts";
import { selfDirs } from "./self_dirs.ts";

/** Beside this program first, then every PATH entry, then `<PREFIX>/libexec/lima`. */
export function pluginDirectories(): string[] {
  const path = Deno.env.get("PATH") ?? "";
  return [
    ...selfDirs(),
    ...(path === "" ? [] : path.split(delimiter)),
    ...libexecDirs(),
  ];
}

/**
 * The PATH a plugin runs with: the plugin directories, so that a plugin finds the
 * `limactl` beside it and its fellow plugins before anything else on PATH.
 */
export function pluginPath(): string {
  return pluginDirectories().join(delimiter);
}
