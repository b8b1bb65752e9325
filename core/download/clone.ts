/** Whether copying a file can share its blocks (a reflink) instead of writing them again. */

/** Linux file systems on which `copy_file_range`, and so `Deno.copyFile`, clones. */
const CLONING_LINUX = new Set(["btrfs", "xfs", "bcachefs"]);

/**
 * Whether `Deno.copyFile` from directory FROM to directory TO is expected to clone the file:
 * both on one file system, and that file system shares blocks between copies (APFS on
 * macOS; btrfs, XFS or bcachefs on Linux). A wrong guess costs time, never correctness:
 * `Deno.copyFile` falls back to copying.
 */
export async function clonesFiles(from: string, to: string): Promise<boolean> {
  let a: Deno.FileInfo, b: Deno.FileInfo;
  try {
    [a, b] = await Promise.all([Deno.stat(from), Deno.stat(to)]);
  } catch {
    // Writing there will fail with the reason; this is only a guess about speed.
    return false;
  }
  if (a.dev !== b.dev) return false;
  switch (Deno.build.os) {
    case "darwin":
      // APFS has been the default since macOS 10.13; clonefile fails over to a copy elsewhere.
      return true;
    case "linux": {
      let mountinfo: string;
      try {
        mountinfo = await Deno.readTextFile("/proc/self/mountinfo");
      } catch {
        return false;
      }
      return CLONING_LINUX.has(mountFsType(mountinfo, a.dev) ?? "");
    }
    default:
      return false;
  }
}

/**
 * The file system type of the mount whose device number is DEV (`st_dev`), from the text of
 * Linux's `/proc/<pid>/mountinfo`: "ID PARENT MAJOR:MINOR ROOT POINT OPTIONS [TAGS] - TYPE …".
 */
export function mountFsType(
  mountinfo: string,
  dev: number,
): string | undefined {
  const d = BigInt(dev);
  // The split of a Linux dev_t into major and minor numbers (glibc's gnu_dev_major/minor).
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  const id = `${major}:${minor}`;
  for (const line of mountinfo.split("\n")) {
    const fields = line.split(" ");
    if (fields[2] !== id) continue;
    const sep = fields.indexOf("-", 6);
    if (sep > 0) return fields[sep + 1];
  }
  return undefined;
}
