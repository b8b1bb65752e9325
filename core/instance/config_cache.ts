/**
 * A per-instance cache of the filled, validated configuration, so that `limactl list` need
 * not load the YAML and config engine for every instance on every run.
 *
 * The cache (`INSTDIR/.inspect-cache.json`) is used only when everything the result depends
 * on is unchanged: the exact text of lima.yaml, lima-version, `_config/default.yaml` and
 * `override.yaml`; the host facts and environment the defaults come from; the config engine
 * itself; and the file-system state validation looked at (mount locations, playbooks, network
 * sockets). Warnings from the original load are replayed. Writing it is best effort.
 */
import { hostInfo, machineID } from "../config/host.ts";
import type { LimaYAML } from "../config/schema.ts";
import { logger } from "../log.ts";
import {
  MAX_TEMPLATE_BYTES,
  readRegularTextSync,
} from "../config/read_file.ts";
import { VERSION } from "../version.ts";
import { configDir, InstanceFiles, joinPath } from "../store/paths.ts";
import { ifFoundSync } from "../if_found.ts";

export const CONFIG_CACHE_FILE = ".inspect-cache.json";
const FORMAT = 1;

interface CacheEntry {
  format: number;
  key: string;
  /** Paths validation looked at, with their state then. */
  deps: Record<string, string | null>;
  warnings: string[];
  config: LimaYAML;
}

/**
 * The text of an optional file. Anything but a regular file within the size limit stands
 * for itself by its file-system state: the load (which refuses it, saying why) is not cached.
 */
function readOptional(path: string): string | null {
  return ifFoundSync(() => {
    const info = Deno.statSync(path);
    if (!info.isFile || info.size > MAX_TEMPLATE_BYTES) return statKey(path);
    return Deno.readTextFileSync(path);
  }) ?? null;
}

function statKey(path: string): string | null {
  try {
    const s = Deno.statSync(path);
    return `${
      s.isDirectory ? "d" : s.isSocket ? "s" : "f"
    }:${s.ino}:${s.size}:${s.mtime?.getTime()}`;
  } catch {
    return null;
  }
}

let processKey: string | undefined;

/** What every instance's result depends on beyond its own files: `_config`, host, environment, engine. */
function sharedKey(): string {
  processKey ??= (() => {
    const engine: string[] = [
      VERSION,
      Deno.execPath(),
      String(statKey(Deno.execPath())),
    ];
    for (const dir of ["../config/", "../text_template/"]) {
      const url = new URL(dir, import.meta.url);
      if (url.protocol !== "file:") continue;
      try {
        for (const entry of Deno.readDirSync(url)) {
          // Tests are not part of the engine; skipping them halves the stat calls.
          if (entry.name.endsWith("_test.ts")) continue;
          engine.push(
            `${entry.name}=${statKey(new URL(entry.name, url).pathname)}`,
          );
        }
      } catch {
        // Not a readable directory (e.g. a compiled binary): the executable stands for it.
      }
    }
    const env = ["HOME", "TMPDIR", "LIMA_SSH_OVER_VSOCK"].map((k) =>
      `${k}=${Deno.env.get(k) ?? ""}`
    );
    const defaults = readOptional(joinPath(configDir(), "default.yaml"));
    const overrides = readOptional(joinPath(configDir(), "override.yaml"));
    return JSON.stringify({
      engine: engine.sort(),
      env,
      host: hostInfo(),
      machine: machineID(),
      defaults,
      overrides,
    });
  })();
  return processKey;
}

function instanceKey(
  instDir: string,
  name: string,
  files: ReadonlySet<string>,
): string {
  const yaml = readRegularTextSync(joinPath(instDir, InstanceFiles.limaYAML));
  const version = files.has(InstanceFiles.limaVersion)
    ? readOptional(joinPath(instDir, InstanceFiles.limaVersion))
    : null;
  return JSON.stringify({
    format: FORMAT,
    instDir,
    name,
    yaml,
    version,
    shared: sharedKey(),
  });
}

/** The host paths whose state validation of Y depends on. */
function dependencies(y: LimaYAML): string[] {
  const paths: string[] = [];
  for (const m of y.mounts ?? []) if (m.location) paths.push(m.location);
  for (const p of y.provision ?? []) if (p.playbook) paths.push(p.playbook);
  for (const n of y.networks ?? []) if (n.socket) paths.push(n.socket);
  return paths;
}

function isPlainData(value: unknown): boolean {
  if (
    value === null || ["string", "number", "boolean"].includes(typeof value)
  ) return true;
  if (Array.isArray(value)) return value.every(isPlainData);
  if (
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.values(value as object).every((v) =>
      v === undefined || isPlainData(v)
    );
  }
  return false;
}

/**
 * Like `loadValidatedConfig` for an instance's own files, answered from the cache when it is
 * valid. FILES names the entries of the instance directory (to skip reading missing ones).
 */
export async function loadConfigCached(
  options: { instDir: string; name: string; files?: ReadonlySet<string> },
): Promise<LimaYAML> {
  const files = options.files ??
    new Set(Array.from(Deno.readDirSync(options.instDir), (e) => e.name));
  const key = instanceKey(options.instDir, options.name, files);
  const cacheFile = joinPath(options.instDir, CONFIG_CACHE_FILE);
  try {
    const entry = files.has(CONFIG_CACHE_FILE)
      ? JSON.parse(Deno.readTextFileSync(cacheFile)) as CacheEntry
      : undefined;
    if (
      entry &&
      entry.format === FORMAT && entry.key === key &&
      Object.entries(entry.deps).every(([path, state]) =>
        statKey(path) === state
      )
    ) {
      for (const warning of entry.warnings) logger.warn(warning);
      return entry.config;
    }
  } catch {
    // No usable cache: load for real.
  }
  // The config engine and the writer are needed only on a miss: import them then.
  const [{ loadValidatedConfig }, { writeFileAtomic }] = await Promise.all([
    import("./load_config.ts"),
    import("../store/atomic_write.ts"),
  ]);
  const warnings: string[] = [];
  const config = await loadValidatedConfig({
    instDir: options.instDir,
    name: options.name,
    warn: (msg) => {
      warnings.push(msg);
      logger.warn(msg);
    },
  });
  if (isPlainData(config)) {
    const deps = Object.fromEntries(
      dependencies(config).map((p) => [p, statKey(p)]),
    );
    const entry: CacheEntry = { format: FORMAT, key, deps, warnings, config };
    await writeFileAtomic(cacheFile, JSON.stringify(entry), { mode: 0o600 })
      .catch(() => {});
  }
  return config;
}
