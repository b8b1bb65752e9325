/** SFTP file modes as Go's `fs.FileInfo` reports them (pkg/sftp), for `list_directory`. */

/** Go's `fs.FileMode` type bits for each `S_IFMT` file type (powers, not shifts: bit 31 is set). */
const TYPE_BITS: Record<number, number> = {
  0o060000: 2 ** 26, // block device: ModeDevice
  0o020000: 2 ** 26 + 2 ** 21, // ModeDevice | ModeCharDevice
  0o040000: 2 ** 31, // ModeDir
  0o010000: 2 ** 25, // ModeNamedPipe
  0o120000: 2 ** 27, // ModeSymlink
  0o140000: 2 ** 24, // ModeSocket
};

/** A POSIX MODE as Go's `fs.FileMode` number (permissions, type, setuid/setgid/sticky). */
export function goFileMode(mode: number): number {
  let bits = (mode & 0o777) + (TYPE_BITS[mode & 0o170000] ?? 0);
  if (mode & 0o4000) bits += 2 ** 23; // ModeSetuid
  if (mode & 0o2000) bits += 2 ** 22; // ModeSetgid
  if (mode & 0o1000) bits += 2 ** 20; // ModeSticky
  return bits;
}
