/**
 * Writes all of BYTES to FILE (a write may take only part), flushes them to disk, and closes
 * FILE, also when a write fails: what a crash-safe write needs before its rename.
 */
export async function writeAllSynced(
  file: Deno.FsFile,
  bytes: Uint8Array,
): Promise<void> {
  try {
    let written = 0;
    while (written < bytes.length) {
      written += await file.write(bytes.subarray(written));
    }
    await file.sync();
  } finally {
    file.close();
  }
}
