/** What `limactl info` reports about this installation (Lima's `pkg/limainfo/limainfo.go`). */
import { join } from "node:path";
import { type CLIPlugin, discoverPlugins } from "../cli_plugins/discover.ts";
import { libexecDirs, shareDirs } from "../cli_plugins/prefix_dirs.ts";
import { hostArch } from "../config/host.ts";
import type { LimaYAML } from "../config/schema.ts";
import { configDir, limaHome } from "../store/paths.ts";
import { DEFAULT_SHELL_ENV_BLOCK } from "../ssh/shell_env.ts";
import { listTemplates } from "../template/search_path.ts";
import { fillTemplate } from "../template/validate.ts";
import { VERSION } from "../version.ts";

export interface DriverEntry {
  name: string;
  /** `internal` for built-in drivers, else the module's path or URL. */
  location: string;
}

export interface Info {
  version: string;
  templates: { name: string; location: string }[];
  defaultTemplate: LimaYAML;
  limaHome: string;
  vmTypes: string[];
  vmTypesEx: Record<string, { location: string }>;
  guestAgents: Record<string, { location: string }>;
  shellEnvBlock: string[];
  hostOS: string;
  hostArch: string;
  identityFile: string;
  /** null when there are none, as Lima's JSON has it (a nil slice). */
  plugins: CLIPlugin[] | null;
  libexecPaths: string[] | null;
  sharePaths: string[] | null;
}

/** Collects the report; DRIVERS are the registered drivers (the caller owns the registry). */
export async function collectInfo(
  options: { drivers: DriverEntry[] },
): Promise<Info> {
  const drivers = [...options.drivers].sort((a, b) =>
    a.name.localeCompare(b.name)
  );
  const vmTypes = drivers.map((d) => d.name);
  return {
    version: VERSION,
    templates: await listTemplates(),
    defaultTemplate: (await fillTemplate("template:default")).config,
    limaHome: limaHome(),
    vmTypes,
    vmTypesEx: Object.fromEntries(
      drivers.map((d) => [d.name, { location: d.location }]),
    ),
    guestAgents: {},
    shellEnvBlock: DEFAULT_SHELL_ENV_BLOCK,
    hostOS: Deno.build.os,
    hostArch: hostArch(),
    identityFile: join(configDir(), "user"),
    plugins: orNull(discoverPlugins()),
    libexecPaths: orNull(libexecDirs()),
    sharePaths: orNull(shareDirs()),
  };
}

/** LIST, or null when empty: Go encodes an empty (nil) slice as null. */
function orNull<T>(list: T[]): T[] | null {
  return list.length === 0 ? null : list;
}
