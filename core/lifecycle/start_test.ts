import assert from "node:assert/strict";
import { parseDuration, shellCommandFor } from "./start.ts";
import { candidateImages } from "./prepare.ts";

Deno.test("--timeout takes Go durations", () => {
  assert.equal(parseDuration("10m0s"), 600_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("0"), 0);
  assert.throws(() => parseDuration("10"), /invalid duration "10"/);
  assert.throws(() => parseDuration("5 minutes"), /invalid duration/);
});

Deno.test("the shell hint is `lima` for the default instance", () => {
  assert.equal(shellCommandFor("default"), "lima");
  assert.equal(shellCommandFor("vm"), "limactl shell vm");
});

Deno.test("images of the instance arch with the first entry's variant are tried in order", () => {
  const images = [
    { location: "arm", arch: "aarch64" },
    { location: "a", arch: "x86_64", variant: "v1" },
    { location: "b", arch: "x86_64", variant: "v2" },
    { location: "c", arch: "x86_64", variant: "v1" },
  ];
  assert.deepEqual(
    candidateImages(images, "x86_64").map((i) => i.location),
    ["a", "c"],
  );
  assert.deepEqual(candidateImages(images, "riscv64"), []);
});
