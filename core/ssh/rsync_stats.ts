/**
 * Counting what an `rsync --itemize-changes` run would change, for the question `shell --sync`
 * asks before copying the guest's changes back (Lima's `parseRsyncStats` in
 * `cmd/limactl/shell.go`).
 */

export interface RsyncStats {
  added: number;
  deleted: number;
  modified: number;
  metadata: number;
}

/**
 * The counts in OUTPUT. An itemized line is `YXcstpoguax PATH`: `*deleting` is a deletion;
 * an update (`<`, `>`, `c`) is an addition when its checksum column is `+`, else a
 * modification; `.` with any attribute column set is a change of metadata only. Other lines
 * (rsync's summary) do not count.
 */
export function parseRsyncStats(output: string): RsyncStats {
  const stats: RsyncStats = { added: 0, deleted: 0, modified: 0, metadata: 0 };
  for (const line of output.split("\n")) {
    if (line.length < 12) continue;
    if (line.startsWith("*deleting")) {
      stats.deleted++;
    } else if ("<>c".includes(line[0])) {
      if (line[2] === "+") stats.added++;
      else stats.modified++;
    } else if (line[0] === "." && /[^.]/.test(line.slice(2, 11))) {
      stats.metadata++;
    }
  }
  return stats;
}

/** `added: 1, deleted: 0, modified: 2, metadata: 0`, or "" when nothing changes. */
export function formatRsyncStats(s: RsyncStats): string {
  if (s.added + s.deleted + s.modified + s.metadata === 0) return "";
  return `added: ${s.added}, deleted: ${s.deleted}, modified: ${s.modified}, metadata: ${s.metadata}`;
}
