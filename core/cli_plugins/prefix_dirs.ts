/**
 * Lima's `<PREFIX>` directories (Lima's `usrlocal.LibexecLima` and `usrlocal.ShareLima`), where
 * PREFIX is the parent of each directory `selfDirs` returns. Only directories that exist and
 * hold something count.
 */
import { dirname, join } from "node:path";
import { selfDirs } from "./self_dirs.ts";

/** `<PREFIX>/libexec/lima`, and Homebrew's `<PREFIX>/lib/lima` (Homebrew keeps libexec private). */
export function libexecDirs(): string[] {
  return selfDirs().flatMap((dir) => {
    const prefix = dirname(dir);
    return [join(prefix, "libexec", "lima"), join(prefix, "lib", "lima")];
  }).filter(hasEntries);
}

/** `<PREFIX>/share/lima`. */
export function shareDirs(): string[] {
  return selfDirs().map((dir) => join(dirname(dir), "share", "lima"))
    .filter(hasEntries);
}

function hasEntries(dir: string): boolean {
  try {
    return !Deno.readDirSync(dir)[Symbol.iterator]().next().done;
  } catch {
    return false;
  }
}
