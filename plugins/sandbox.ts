/**
 * The files a third-party driver's Worker may read and write. `$LIMA_HOME` in a manifest
 * stands for the driver's own directories (the instance directory it drives and
 * `LIMA_HOME/_drivers/data/<name>`), never for `LIMA_HOME` as a whole: `_config/` holds the
 * instances' SSH private key and `_drivers/` the records of what each driver was granted.
 *
 * Deno checks a path as it is written, without resolving symlinks (a Worker allowed to
 * write `DIR` writes through `DIR/link` wherever it points), so grants are resolved with
 * `realPath` and the symlinks already under them are checked before a Worker starts. A
 * Worker cannot make new ones: `Deno.symlink` needs unscoped read and write permissions.
 */
import {
  basename,
  dirname,
  isAbsolute,
  join,
  relative,
  resolve,
  sep,
} from "node:path";
import { LimaError } from "../core/errors.ts";
import { quote } from "../core/quote.ts";
import type { DriverPermissions } from "./contract.ts";

export interface SandboxPlace {
  limaHome: string;
  driverName: string;
  /** The instance directory the Worker drives; absent when no instance is bound yet. */
  instanceDir?: string;
}

/** Granted paths, each as written and as resolved; `false` for none. */
export interface SandboxPaths {
  read: string[] | false;
  write: string[] | false;
}

/** Entries checked for symlinks under one grant before a Worker starts. */
const MAX_SCANNED = 10_000;

/** A driver's own directory for whatever it keeps between instances. */
export function driverDataDir(limaHome: string, name: string): string {
  return join(limaHome, "_drivers", "data", name);
}

/** PATH is DIR or inside it. */
function within(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" ||
    (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** PATH with symlinks resolved as far as it exists (a grant may name a file not made yet). */
async function resolved(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound) || dirname(path) === path) {
      throw err;
    }
    return join(await resolved(dirname(path)), basename(path));
  }
}

function expand(entry: string, place: SandboxPlace): string[] {
  if (entry === "$LIMA_HOME") {
    return [
      ...(place.instanceDir ? [place.instanceDir] : []),
      driverDataDir(place.limaHome, place.driverName),
    ];
  }
  if (entry.startsWith("$LIMA_HOME/")) {
    return [join(place.limaHome, entry.slice("$LIMA_HOME/".length))];
  }
  return [resolve(entry)];
}

/**
 * The read and write grants of DECLARED for PLACE; refuses a grant of every file, or one that
 * reaches into `_config/` or another part of `_drivers/`.
 */
export async function sandboxPaths(
  declared: DriverPermissions | undefined,
  place: SandboxPlace,
): Promise<SandboxPaths> {
  const home = await resolved(place.limaHome);
  const own = await resolved(driverDataDir(place.limaHome, place.driverName));
  const guarded = [join(home, "_config"), join(home, "_drivers")];
  const grant = async (
    access: "read" | "write",
  ): Promise<string[] | false> => {
    const value = declared?.[access];
    if (value === true) {
      throw new LimaError({
        summary: `driver ${
          quote(place.driverName)
        } asks to ${access} every file`,
        detail:
          "that includes the SSH private key of the instances, LIMA_HOME/_config/user",
        hint:
          "a driver must list the paths it needs; `$LIMA_HOME` stands for its own directories",
      });
    }
    if (!value || value.length === 0) return false;
    const paths: string[] = [];
    for (const entry of value) {
      for (const path of expand(entry, place)) {
        const real = await resolved(path);
        const reaches = guarded.find((g) =>
          within(g, real) || (within(real, g) && !within(real, own))
        );
        if (reaches) {
          throw new LimaError({
            summary: `driver ${quote(place.driverName)} may not ${access} ${
              quote(entry)
            }`,
            detail: `${quote(real)} reaches into ${
              quote(reaches)
            }, which holds limactl's own files (the instances' SSH key, the driver records)`,
            hint:
              "`$LIMA_HOME` alone stands for the driver's own directories: the instance directory and LIMA_HOME/_drivers/data/<name>",
          });
        }
        paths.push(path, real);
      }
    }
    return [...new Set(paths)];
  };
  return { read: await grant("read"), write: await grant("write") };
}

/**
 * Refuses symlinks under the granted directories that would let the Worker out: one under a
 * write grant must lead inside the write grants, one under a read grant must not lead into
 * `_config/` or `_drivers/` (other symlinks, such as firmware links in `/usr/share`, stay).
 */
export async function checkSymlinks(
  paths: SandboxPaths,
  place: SandboxPlace,
): Promise<void> {
  const home = await resolved(place.limaHome);
  const own = await resolved(driverDataDir(place.limaHome, place.driverName));
  const guarded = [join(home, "_config"), join(home, "_drivers")];
  const writable = paths.write || [];
  const escapes = {
    write: (target: string | undefined) =>
      !target || !writable.some((w) => within(target, w)),
    read: (target: string | undefined) =>
      target !== undefined &&
      guarded.some((g) => within(target, g)) && !within(target, own),
  };
  for (const access of ["write", "read"] as const) {
    for (const root of paths[access] || []) {
      await scan(root, (link, target) => {
        if (!escapes[access](target)) return;
        throw new LimaError({
          summary: `driver ${quote(place.driverName)} cannot start: symlink ${
            quote(link)
          } leads outside what it may ${access}`,
          detail: target
            ? `it points to ${quote(target)}`
            : "where it points cannot be told",
          hint:
            "remove the symlink, or grant the driver a directory without it",
        });
      });
    }
  }
}

/**
 * Where LINK leads; for a dangling one, where a file written through it would be made
 * (undefined when even that cannot be told).
 */
async function linkTarget(link: string): Promise<string | undefined> {
  try {
    return await Deno.realPath(link);
  } catch {
    try {
      return await resolved(resolve(dirname(link), await Deno.readLink(link)));
    } catch {
      return undefined;
    }
  }
}

/** Calls VISIT for each symlink under ROOT with its target (see `linkTarget`). */
async function scan(
  root: string,
  visit: (link: string, target: string | undefined) => void,
): Promise<void> {
  let seen = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries: AsyncIterable<Deno.DirEntry>;
    try {
      if (!(await Deno.lstat(dir)).isDirectory) return;
      entries = Deno.readDir(dir);
    } catch {
      return;
    }
    for await (const entry of entries) {
      if (++seen > MAX_SCANNED) {
        throw new LimaError({
          summary: `too many files under ${
            quote(root)
          } to check it for symlinks`,
          detail: `more than ${MAX_SCANNED}`,
          hint: "grant the driver a narrower directory",
        });
      }
      const path = join(dir, entry.name);
      if (entry.isSymlink) visit(path, await linkTarget(path));
      else if (entry.isDirectory) await walk(path);
    }
  };
  await walk(root);
}
