/** SFTP file attributes as Go's `fs.FileInfo` reports them (pkg/sftp), for `list_directory`. */

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

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Unix SECONDS as Go marshals a local `time.Time`: RFC 3339 in the host's time zone. */
export function goTime(seconds: number): string {
  const t = new Date(seconds * 1000);
  const offset = -t.getTimezoneOffset();
  const zone = offset === 0
    ? "Z"
    : `${offset > 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offset) / 60))}:${
      pad(Math.abs(offset) % 60)
    }`;
  return `${pad(t.getFullYear(), 4)}-${pad(t.getMonth() + 1)}-${
    pad(t.getDate())
  }T${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}${zone}`;
}
