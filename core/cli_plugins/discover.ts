/**
 * CLI plugins (Lima's `pkg/plugins/plugins.go`): executables named `limactl-NAME` that
 * `limactl NAME` runs. Discovery only lists and reads files; nothing runs until a plugin's
 * command or URL scheme is used.
 */
import { join } from "node:path";
import { logger } from "../log.ts";
import { pluginDescription } from "./description.ts";
import { pluginDirectories } from "./plugin_dirs.ts";

/** A CLI plugin, as `limactl info` reports it. */
export interface CLIPlugin {
  /** The command name: the file name without `limactl-` (and, on Windows, its PATHEXT extension). */
  name: string;
  path: string;
  /** From a script's `<limactl-desc>`; absent when there is none. */
  description?: string;
}

const PREFIX = "limactl-";
const DEFAULT_PATHEXT =
  ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC;.CPL";

let discovered: CLIPlugin[] | undefined;

/** The plugins of `pluginDirectories()`, looked up once per process, sorted by name. */
export function discoverPlugins(): CLIPlugin[] {
  discovered ??= scanPluginDirectories(pluginDirectories());
  return discovered;
}

/** The plugin called NAME, or undefined. */
export function findPlugin(name: string): CLIPlugin | undefined {
  return discoverPlugins().find((plugin) => plugin.name === name);
}

/** The plugins in DIRS, the first directory holding a name winning, sorted by name. */
export function scanPluginDirectories(dirs: string[]): CLIPlugin[] {
  const byName = new Map<string, CLIPlugin>();
  for (const dir of dirs) {
    for (const plugin of scanDirectory(dir)) {
      if (!byName.has(plugin.name)) byName.set(plugin.name, plugin);
    }
  }
  return [...byName.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
}

function scanDirectory(dir: string): CLIPlugin[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (err) {
    logger.debug(`Plugin discovery: failed to scan directory ${dir}: ${err}`);
    return [];
  }
  const plugins: CLIPlugin[] = [];
  for (const entry of entries) {
    if (entry.isDirectory || !entry.name.startsWith(PREFIX)) continue;
    const path = join(dir, entry.name);
    if (!isExecutable(path)) continue;
    const description = pluginDescription(path);
    plugins.push({
      name: pluginName(entry.name),
      path,
      ...(description ? { description } : {}),
    });
  }
  return plugins;
}

/** FILE without `limactl-`, and on Windows without an executable extension. */
function pluginName(file: string): string {
  const name = file.slice(PREFIX.length);
  const ext = extension(name);
  return isWindowsExecutableExt(ext) ? name.slice(0, -ext.length) : name;
}

/** A regular file (symlinks followed) with an execute bit, or on Windows a PATHEXT extension. */
function isExecutable(path: string): boolean {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return false;
  }
  if (!info.isFile) return false;
  if (Deno.build.os === "windows") {
    return isWindowsExecutableExt(extension(path));
  }
  return ((info.mode ?? 0) & 0o111) !== 0;
}

function isWindowsExecutableExt(ext: string): boolean {
  if (Deno.build.os !== "windows" || ext === "") return false;
  const pathExt = Deno.env.get("PATHEXT") || DEFAULT_PATHEXT;
  return pathExt.toUpperCase().split(";").includes(ext.toUpperCase());
}

/** Go's `filepath.Ext`: from the last dot of the last path element, or "". */
function extension(path: string): string {
  const base = path.slice(
    Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1,
  );
  const dot = base.lastIndexOf(".");
  return dot < 0 ? "" : base.slice(dot);
}
