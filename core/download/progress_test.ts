import assert from "node:assert/strict";
import {
  formatBar,
  formatBytes,
  formatDuration,
  type Progress,
  ProgressReporter,
} from "./progress.ts";

const base: Progress = {
  phase: "download",
  location: "https://example.com/ubuntu.img",
  description: "the image",
  bytes: 512 * 1024 * 1024,
  total: 1024 * 1024 * 1024,
  bytesPerSecond: 64 * 1024 * 1024,
  etaSeconds: 8,
  done: false,
};

Deno.test("the terminal bar shows bytes, percentage, rate and ETA within the width", () => {
  const line = formatBar(base, 100);
  assert.ok(line.startsWith("the image"), line);
  assert.match(line, /512\.00 MiB \/ 1\.00 GiB/);
  assert.match(line, / 50\.0%/);
  assert.match(line, /64\.00 MiB\/s/);
  assert.match(line, /ETA 0:08/);
  assert.match(line, /\[=+ +\]/);
  assert.ok(line.length < 100, `${line.length}`);
  const narrow = formatBar(base, 40);
  assert.ok(narrow.length < 40, narrow);
  assert.ok(!narrow.includes("["), narrow);
});

Deno.test("without a total the bar shows bytes and rate only", () => {
  const line = formatBar(
    { ...base, total: undefined, etaSeconds: undefined },
    100,
  );
  assert.match(line, /512\.00 MiB 64\.00 MiB\/s$/);
});

Deno.test("sizes and durations read like a person would write them", () => {
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(1536), "1.50 KiB");
  assert.equal(formatBytes(3 * 1024 ** 3), "3.00 GiB");
  assert.equal(formatDuration(65), "1:05");
  assert.equal(formatDuration(3723), "1:02:03");
});

Deno.test("the bar style redraws one line and ends it when done", () => {
  let out = "";
  const r = new ProgressReporter({
    phase: "decompress",
    location: "/tmp/x.xz",
    total: 100,
    style: "bar",
    writeBar: (t) => (out += t),
  });
  r.add(60);
  r.add(40);
  r.finish();
  assert.ok(out.startsWith("\r"));
  assert.ok(out.endsWith("\n"));
  assert.match(out, /100\.0%/);
});
