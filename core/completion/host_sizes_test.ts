import assert from "node:assert/strict";
import { cpuChoices, memoryChoices } from "./host_sizes.ts";

const GiB = 1024 ** 3;

Deno.test("--cpus offers powers of two up to the host's CPUs, then the count itself", () => {
  assert.deepEqual(cpuChoices(8), ["1", "2", "4", "8"]);
  assert.deepEqual(cpuChoices(12), ["1", "2", "4", "8", "12"]);
  assert.deepEqual(cpuChoices(1), ["1"]);
});

Deno.test("--memory offers GiB up to half the host's memory, like Lima's %.1f", () => {
  assert.deepEqual(memoryChoices(16 * GiB), ["1.0", "2.0", "4.0", "8.0"]);
  assert.deepEqual(memoryChoices(24 * GiB), [
    "1.0",
    "2.0",
    "4.0",
    "8.0",
    "12.0",
  ]);
  assert.deepEqual(memoryChoices(1 * GiB), ["0.5"]);
});
