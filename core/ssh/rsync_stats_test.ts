import assert from "node:assert/strict";
import { formatRsyncStats, parseRsyncStats } from "./rsync_stats.ts";

Deno.test("itemized rsync lines count as added, deleted, modified or metadata", () => {
  const output = [
    "receiving incremental file list",
    ">f+++++++++ dir/new.txt",
    "cd+++++++++ dir/sub/",
    "*deleting   dir/gone.txt",
    ">f.st...... dir/changed.txt",
    ".d..t...... dir/",
    ".f...p..... dir/mode.txt",
    "",
    "sent 20 bytes  received 300 bytes  640.00 bytes/sec",
  ].join("\n");
  const stats = parseRsyncStats(output);
  assert.deepEqual(stats, { added: 2, deleted: 1, modified: 1, metadata: 2 });
  assert.equal(
    formatRsyncStats(stats),
    "added: 2, deleted: 1, modified: 1, metadata: 2",
  );
});

Deno.test("no itemized change formats as nothing", () => {
  assert.equal(
    formatRsyncStats(parseRsyncStats("receiving file list\n\nsent 1 bytes\n")),
    "",
  );
});
