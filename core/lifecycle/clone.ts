/**
 * `limactl clone` and `limactl rename` (Lima's `pkg/instance/clone.go`). Runtime files (`*.pid`,
 * `*.sock`, `*.tmp`), `protected` and `swtpm/` are not carried over and `vz-identifier` is
 * emptied. The edit flags are applied and validated before anything is copied or moved; the new
 * directory appears whole (a clone is built under a hidden name; a rename is one directory
 * rename).
 */
import { join } from "node:path";
import type { EditFlags } from "../config/edit_flags.ts";
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import { syncDir, writeFileAtomic } from "../store/atomic_write.ts";
import { CONFIG_CACHE_FILE } from "../instance/config_cache.ts";
import { inspectInstance } from "../instance/instance.ts";
import type { Instance } from "../instance/record.ts";
import { lockInstances } from "../store/lock.ts";
import { checkSocketPathLength, validateInstanceName } from "../store/names.ts";
import { instanceDir, InstanceFiles, limaHome } from "../store/paths.ts";
import { renameNoReplace } from "../store/rename_no_replace.ts";
import {
  isTemporaryName,
  removeStaleTemporaries,
  temporaryPath,
} from "../store/temporary.ts";
import { editExpression, validateEdited } from "./edit.ts";
import { TEMPORARY_SUFFIXES } from "./stop_forcibly.ts";
import { exists } from "../exists.ts";

/** Entries never carried to the new instance. */
const SKIPPED = new Set<string>([
  InstanceFiles.protected,
  "swtpm",
  CONFIG_CACHE_FILE,
]);
/** Files replaced by an empty file (a new identity is generated on next start). */
const EMPTIED = new Set(["vz-identifier"]);

export interface CloneOptions {
  /** Move instead of copy. */
  rename?: boolean;
  /** Edit flags applied to the new instance. */
  flags?: EditFlags;
}

function isCarried(name: string): boolean {
  return !SKIPPED.has(name) && !isTemporaryName(name) &&
    !TEMPORARY_SUFFIXES.some((s) => name.endsWith(s));
}

/** Copies the carried entries of directory FROM into the existing directory TO (symlinked files are followed). */
async function copyTree(from: string, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    if (!isCarried(entry.name)) continue;
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    const info = await Deno.stat(src);
    if (info.isDirectory) {
      await Deno.mkdir(dst, { mode: (info.mode ?? 0o755) & 0o777 });
      await copyTree(src, dst);
    } else if (EMPTIED.has(entry.name)) {
      await Deno.writeFile(dst, new Uint8Array(), { mode: 0o666 });
    } else {
      await Deno.copyFile(src, dst);
    }
  }
}

/** Removes what a renamed instance must not keep. */
async function pruneRenamed(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (!isCarried(entry.name)) await Deno.remove(path, { recursive: true });
    else if (EMPTIED.has(entry.name)) {
      await Deno.writeFile(path, new Uint8Array(), { mode: 0o666 });
    }
  }
}

/** Clones (or renames) instance OLD_NAME to NEW_NAME while holding the locks of both names. */
export async function cloneInstance(
  oldName: string,
  newName: string,
  options: CloneOptions = {},
): Promise<Instance> {
  const verb = options.rename ? "rename" : "clone";
  validateInstanceName(oldName);
  if (newName === "") throw new LimaError({ summary: "got empty instName" });
  await using _lock = await lockInstances([oldName, newName]);
  const old = await inspectInstance(oldName);
  if (!old) {
    throw new LimaError({ summary: `instance ${quote(oldName)} not found` });
  }
  if (oldName === newName) {
    throw new LimaError({
      summary: `new instance name ${quote(newName)} must be different from ${
        quote(oldName)
      }`,
    });
  }
  if (old.status === "Running") {
    throw new LimaError({ summary: `cannot ${verb} a running instance` });
  }
  if (options.rename && old.protected) {
    throw new LimaError({
      summary: "instance is protected to prohibit accidental rename",
      hint: "use `limactl unprotect`",
    });
  }
  validateInstanceName(newName);
  const newDir = instanceDir(newName);
  if (await exists(newDir)) {
    throw new LimaError({
      summary: `instance ${quote(newName)} already exists`,
    });
  }
  checkSocketPathLength(newName, newDir);
  await removeStaleTemporaries(limaHome());
  await removeStaleTemporaries(old.dir);

  const yamlFile = join(old.dir, InstanceFiles.limaYAML);
  const text = await Deno.readTextFile(yamlFile);
  const expression = await editExpression(text, yamlFile, options.flags ?? {});
  let newText: string | undefined;
  if (expression !== "") {
    const { applyYq } = await import("../yq/mod.ts");
    newText = applyYq(text, expression);
    await validateEdited({
      instDir: newDir,
      name: newName,
      newText,
      current: old.config,
      file: join(newDir, InstanceFiles.limaYAML),
    });
  }

  if (options.rename) {
    await renameNoReplace(
      old.dir,
      newDir,
      () => `instance ${quote(newName)} already exists`,
    );
    await pruneRenamed(newDir);
    if (newText !== undefined) {
      await writeFileAtomic(join(newDir, InstanceFiles.limaYAML), newText, {
        mode: 0o644,
      });
    }
  } else {
    const tmp = temporaryPath(limaHome(), newName);
    await Deno.mkdir(tmp, { mode: 0o700 });
    try {
      await copyTree(old.dir, tmp);
      if (newText !== undefined) {
        await writeFileAtomic(join(tmp, InstanceFiles.limaYAML), newText, {
          mode: 0o644,
        });
      }
      await syncDir(tmp);
      await renameNoReplace(
        tmp,
        newDir,
        () => `instance ${quote(newName)} already exists`,
      );
    } catch (err) {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      throw err;
    }
  }
  await syncDir(limaHome());
  const inst = await inspectInstance(newName);
  if (!inst) {
    throw new LimaError({
      summary: `instance ${quote(newName)} not found after ${verb}`,
    });
  }
  return inst;
}
