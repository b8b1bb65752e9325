import assert from "node:assert/strict";
import { formatSize, parseSize } from "./units.ts";

Deno.test("parseSize accepts every binary-unit spelling", () => {
  const gib = 4 * 1024 ** 3;
  for (
    const text of [
      "4GiB",
      "4G",
      "4gb",
      "4g",
      "4GB",
      "4 GiB",
      "4096MiB",
      "4194304k",
    ]
  ) {
    assert.equal(parseSize(text), gib, text);
  }
  assert.equal(parseSize("1048576"), 1048576);
  assert.equal(parseSize("128KiB"), 131072);
  assert.equal(parseSize("1.5GiB"), 1.5 * 1024 ** 3);
  assert.equal(parseSize("2TiB"), 2 * 1024 ** 4);
  assert.equal(parseSize("1PiB"), 1024 ** 5);
  assert.equal(parseSize("0"), 0);
});

Deno.test("parseSize rejects garbage, negative and unknown units", () => {
  for (
    const text of [
      "",
      "lots",
      "-1GiB",
      "4XB",
      "4 G B",
      "GiB",
      "1.2.3G",
      "4GiBs",
      "0x10",
    ]
  ) {
    assert.throws(() => parseSize(text), /invalid size/, text);
  }
});

Deno.test("formatSize uses up to four significant digits like Lima", () => {
  assert.equal(formatSize(4 * 1024 ** 3), "4GiB");
  assert.equal(formatSize(100 * 1024 ** 3), "100GiB");
  assert.equal(formatSize(3.8125 * 1024 ** 3), "3.812GiB");
  assert.equal(formatSize(3.8135 * 1024 ** 3), "3.813GiB");
  assert.equal(formatSize(512), "512B");
  assert.equal(formatSize(0), "0B");
  assert.equal(formatSize(1536), "1.5KiB");
  assert.equal(formatSize(1023 * 1024 + 1000), "1024KiB");
  assert.equal(formatSize(128 * 1024), "128KiB");
  assert.equal(formatSize(2 * 1024 ** 5), "2PiB");
  assert.equal(formatSize(4096 * 1024 ** 5), "4096PiB");
});

Deno.test("formatSize output parses back to nearly the same size", () => {
  for (const bytes of [1, 1000, 123456789, 7 * 1024 ** 3 + 12345]) {
    const back = parseSize(formatSize(bytes));
    assert.ok(
      Math.abs(back - bytes) / bytes < 0.001,
      `${bytes} -> ${formatSize(bytes)}`,
    );
  }
});
