/**
 * The files a third-party driver's Worker may read and write. A manifest names them in two
 * ways only:
 *
 * - `$LIMA_HOME` stands for the driver's own directories: the instance directory it drives and
 *   `LIMA_HOME/_drivers/data/<name>`, never for `LIMA_HOME` as a whole. `$LIMA_HOME/sub`
 *   names `sub` inside each of those directories, and must stay there once symlinks are
 *   resolved.
 * - An absolute path outside `LIMA_HOME` (`/usr/share/qemu`) names itself. One inside
 *   `LIMA_HOME`, or containing it, is refused: `LIMA_HOME` holds the other instances, their
 *   disks (`_disks/`), the instances' SSH key (`_config/`) and the records of what each driver
 *   was granted (`_drivers/`).
 *
 * A path with a `..` segment, a relative path and a grant of every file are refused, at install
 * and again each time the driver is loaded.
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

type Access = "read" | "write";

/** Entries checked for symlinks under one grant before a Worker starts. */
const MAX_SCANNED = 10_000;

/** Stands for the instance directory where no instance is bound yet (the install prompt). */
export const INSTANCE_PLACEHOLDER = "<instance>";

const OWN_HINT =
  "`$LIMA_HOME` stands for the driver's own directories (the instance directory and LIMA_HOME/_drivers/data/<name>) and `$LIMA_HOME/sub` for `sub` inside them; other paths must be absolute and outside LIMA_HOME";

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

/** The driver's own directories for PLACE (the instance directory first, when bound). */
function ownDirs(place: SandboxPlace): string[] {
  return [
    ...(place.instanceDir ? [place.instanceDir] : []),
    driverDataDir(place.limaHome, place.driverName),
  ];
}

function refusal(
  place: SandboxPlace,
  access: Access,
  entry: string,
  detail: string,
): LimaError {
  return new LimaError({
    summary: `driver ${quote(place.driverName)} may not ${access} ${
      quote(entry)
    }`,
    detail,
    hint: OWN_HINT,
  });
}

/** One path an entry grants: absolute, before symlinks are resolved. */
interface Target {
  path: string;
  /** For `$LIMA_HOME` entries: the own directory the path must stay in. */
  own?: string;
}

/**
 * The paths ENTRY names for PLACE, worked out from its text alone: refuses `..` segments and
 * relative paths (which would mean something else in each working directory).
 */
function targets(entry: string, access: Access, place: SandboxPlace): Target[] {
  if (entry.split(/[\\/]/).includes("..")) {
    throw refusal(
      place,
      access,
      entry,
      "a path in a driver's permissions may not contain `..`",
    );
  }
  if (entry === "$LIMA_HOME" || entry.startsWith("$LIMA_HOME/")) {
    const sub = entry.slice("$LIMA_HOME".length).replace(/^\/+/, "");
    return ownDirs(place).map((own) => ({
      path: sub ? join(own, sub) : own,
      own,
    }));
  }
  if (!isAbsolute(entry)) {
    throw refusal(
      place,
      access,
      entry,
      "a path in a driver's permissions must be absolute or start with `$LIMA_HOME`",
    );
  }
  return [{ path: resolve(entry) }];
}

/**
 * Where LIMA_HOME really is, plus where its symlinked entries (an instance directory moved
 * to another disk, say) really are: no absolute grant may reach into or contain any of them.
 */
async function homeRoots(limaHome: string): Promise<string[]> {
  const home = await resolved(limaHome);
  const roots = [home];
  try {
    for await (const entry of Deno.readDir(home)) {
      if (!entry.isSymlink) continue;
      try {
        roots.push(await Deno.realPath(join(home, entry.name)));
      } catch {
        // A dangling link leads nowhere a grant could reach.
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return roots;
}

/**
 * The read and write grants of DECLARED for PLACE, each path as written and as resolved;
 * refuses what the module comment says is refused.
 */
export async function sandboxPaths(
  declared: DriverPermissions | undefined,
  place: SandboxPlace,
): Promise<SandboxPaths> {
  const roots = await homeRoots(place.limaHome);
  const grant = async (access: Access): Promise<string[] | false> => {
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
      for (const target of targets(entry, access, place)) {
        const real = await resolved(target.path);
        if (target.own !== undefined) {
          const own = await resolved(target.own);
          if (!within(real, own)) {
            throw refusal(
              place,
              access,
              entry,
              `${quote(target.path)} resolves to ${
                quote(real)
              }, outside the driver's own directory ${quote(own)}`,
            );
          }
        } else {
          const root = roots.find((r) => within(real, r) || within(r, real));
          if (root !== undefined) {
            throw refusal(
              place,
              access,
              entry,
              `${quote(real)} ${
                within(real, root) ? "is inside" : "contains"
              } ${
                quote(root)
              }, which holds the instances, their disks and limactl's own files (the instances' SSH key, the driver records)`,
            );
          }
        }
        paths.push(target.path, real);
      }
    }
    return [...new Set(paths)];
  };
  return { read: await grant("read"), write: await grant("write") };
}

/**
 * The absolute paths ENTRIES name for a driver called NAME, as the install prompt shows
 * them: `<instance>` stands for the directory of each instance the driver drives. Refuses
 * what `sandboxPaths` refuses from the text alone.
 */
export function grantedPaths(
  entries: string[],
  access: Access,
  limaHome: string,
  driverName: string,
): string[] {
  const place = {
    limaHome,
    driverName,
    instanceDir: join(limaHome, INSTANCE_PLACEHOLDER),
  };
  return [
    ...new Set(
      entries.flatMap((e) => targets(e, access, place)).map((t) => t.path),
    ),
  ];
}

/**
 * Refuses symlinks under the granted directories that would let the Worker out: one under a
 * write grant must lead inside the write grants, one under a read grant must not lead into
 * LIMA_HOME outside the driver's own directories (other symlinks, such as firmware links in
 * `/usr/share`, stay).
 */
export async function checkSymlinks(
  paths: SandboxPaths,
  place: SandboxPlace,
): Promise<void> {
  const roots = await homeRoots(place.limaHome);
  const own = await Promise.all(ownDirs(place).map(resolved));
  const writable = paths.write || [];
  const escapes = {
    write: (target: string | undefined) =>
      !target || !writable.some((w) => within(target, w)),
    read: (target: string | undefined) =>
      target !== undefined &&
      roots.some((r) => within(target, r)) &&
      !own.some((o) => within(target, o)),
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
