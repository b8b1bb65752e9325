/**
 * The template store (Lima's `pkg/templatestore/templatestore.go`): where `template:NAME` is
 * looked up and what `limactl template list` / `create --list-templates` show.
 */
import { extname, join } from "node:path";
import { LimaError } from "../errors.ts";
import { userTemplatesDir } from "../store/paths.ts";
import { builtinTemplates } from "../../templates/mod.ts";
import { readLocalBytes } from "../config/read_file.ts";
import { ifFound } from "../if_found.ts";

/** How `listTemplates` reports a template that ships inside the binary. */
export const BUILTIN_LOCATION_PREFIX = "builtin:";

/**
 * The template directories, first hit wins: `LIMA_TEMPLATES_PATH` (`:`-separated) when set
 * and not empty, else `LIMA_HOME/_templates`. Without `LIMA_TEMPLATES_PATH` the built-in
 * set is searched after these directories.
 */
export function templateSearchPath(): string[] {
  const env = Deno.env.get("LIMA_TEMPLATES_PATH");
  if (env) return env.split(":").filter((dir) => dir !== "");
  return [userTemplatesDir()];
}

function builtinsSearched(): boolean {
  return !Deno.env.get("LIMA_TEMPLATES_PATH");
}

/**
 * The file name a template name refers to: `.yaml` is appended when the name has no
 * extension or its "extension" starts with a digit (`ubuntu-24.04`).
 */
export function templateFileName(name: string): string {
  if (name.includes("..")) {
    throw new LimaError({
      summary: `template name ${JSON.stringify(name)} must not contain ".."`,
    });
  }
  const ext = extname(name);
  return ext === "" || /^\.\d/.test(ext) ? `${name}.yaml` : name;
}

/** A template found in the store: its content and where it came from. */
export interface StoredTemplate {
  bytes: Uint8Array;
  location: string;
}

/** Reads template NAME (as written after `template:`) from the first search path entry holding it. */
export async function readStoredTemplate(
  name: string,
): Promise<StoredTemplate> {
  const fileName = templateFileName(name);
  for (const dir of templateSearchPath()) {
    const location = join(dir, fileName);
    const bytes = await ifFound(readLocalBytes(location));
    if (bytes !== undefined) return { bytes, location };
  }
  if (builtinsSearched() && fileName.endsWith(".yaml")) {
    const key = fileName.slice(0, -".yaml".length).replace(/^\.?\/+/, "");
    if (Object.hasOwn(builtinTemplates, key)) {
      return {
        bytes: new TextEncoder().encode(builtinTemplates[key]),
        location: BUILTIN_LOCATION_PREFIX + fileName,
      };
    }
  }
  throw new LimaError({
    summary: `template ${JSON.stringify(name)} not found`,
    hint: "run `limactl template list` to see the available templates",
  });
}

const hidden = (segment: string) =>
  segment.startsWith("_") || segment.startsWith(".");

async function collect(
  dir: string,
  prefix: string,
  found: Map<string, string>,
): Promise<void> {
  const entries = await ifFound(
    Array.fromAsync(Deno.readDir(join(dir, prefix))),
    { notADirectory: true },
  );
  if (!entries) return;
  for (const entry of entries) {
    if (hidden(entry.name)) continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    let isDir = entry.isDirectory;
    if (entry.isSymlink) {
      try {
        isDir = (await Deno.stat(join(dir, rel))).isDirectory;
      } catch {
        continue;
      }
    }
    if (isDir) {
      await collect(dir, rel, found);
    } else if (rel.endsWith(".yaml")) {
      const name = rel.slice(0, -".yaml".length);
      if (!found.has(name)) found.set(name, join(dir, rel));
    }
  }
}

/**
 * Every template the store offers, sorted by name (`experimental/rke2` style names for
 * sub-directories). Internal building blocks (names with a `_` or `.` segment) are left out;
 * a name found in several places is reported where it is looked up: its first occurrence.
 */
export async function listTemplates(): Promise<
  { name: string; location: string }[]
> {
  const found = new Map<string, string>();
  for (const dir of templateSearchPath()) await collect(dir, "", found);
  if (builtinsSearched()) {
    for (const name of Object.keys(builtinTemplates)) {
      if (name.split("/").some(hidden) || found.has(name)) continue;
      found.set(name, `${BUILTIN_LOCATION_PREFIX}${name}.yaml`);
    }
  }
  return [...found.entries()]
    .map(([name, location]) => ({ name, location }))
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
