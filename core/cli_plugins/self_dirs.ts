/**
 * Where this `limactl` is installed (Lima's `usrlocal.SelfDirs`): the directories beside the
 * running program, where CLI plugins are looked for first and `<PREFIX>` is derived from.
 */
import process from "node:process";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The directories holding this program. A compiled binary: the directory of argv[0] as the
 * shell found it (a symlink is not resolved, so Homebrew's `bin` counts), then that of the
 * executable with symlinks resolved, when different. Under `deno run` the executable is
 * `deno`, not this program, so the program is `main.ts` and its directory (the checkout)
 * is the one directory beside it.
 */
export function selfDirs(): string[] {
  if (!Deno.build.standalone) return mainModuleDirs();
  const dirs: string[] = [];
  const viaArgv0 = lookPath(process.argv0);
  if (viaArgv0 !== undefined) dirs.push(dirname(viaArgv0));
  const viaExecutable = dirname(realPathOr(Deno.execPath()));
  if (dirs[0] !== viaExecutable) dirs.push(viaExecutable);
  return dirs;
}

function mainModuleDirs(): string[] {
  if (!Deno.mainModule.startsWith("file:")) return [];
  return [dirname(fileURLToPath(Deno.mainModule))];
}

function realPathOr(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

/** Go's `exec.LookPath` made absolute: NAME itself when it has a slash, else the first match on PATH. */
function lookPath(name: string): string | undefined {
  if (name === "") return undefined;
  if (
    name.includes("/") || (Deno.build.os === "windows" && name.includes("\\"))
  ) {
    return isAbsolute(name) ? name : resolve(name);
  }
  for (const dir of (Deno.env.get("PATH") ?? "").split(delimiter)) {
    const candidate = resolve(join(dir || ".", name));
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}
