/**
 * Runs the whole test suite with `deno test` and ends the output with the plain
 * summary line `N passed, N failed[, N skipped]` that CI reads.
 *
 * Without arguments the suite runs as two lanes at once: the VM tests (`tests/e2e/`, one
 * file after another, since they boot guests) and every other test file. A VM test spends
 * most of its time waiting on a guest, so the other lane fits beside it. The VM lane is
 * printed as it runs, the other lane in one block when it ends, and the failures of a
 * failed lane again at the end, where CI keeps the output. With arguments (a filter, some
 * files) they go to one `deno test` as they are.
 */
import { type LaneResult, runLane, summarize } from "./lanes.ts";

/**
 * boot_diagnosis asserts that broken boots fail within 90 s, so it runs last, once the other
 * lane (the first minutes) has stopped taking CPU from its guests.
 */
const RUN_LAST = ["tests/e2e/boot_diagnosis_test.ts"];

/** The VM test files in name order, RUN_LAST at the end. */
async function vmTestFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir("tests/e2e")) {
    if (entry.name.endsWith("_test.ts")) files.push(`tests/e2e/${entry.name}`);
  }
  files.sort();
  return [...files.filter((f) => !RUN_LAST.includes(f)), ...RUN_LAST];
}

const lanes: [string, string[]][] = Deno.args.length > 0
  ? [["tests", Deno.args]]
  : [["VM tests", await vmTestFiles()], [
    "other tests",
    ["--ignore=tests/e2e/"],
  ]];

const [first, ...rest] = lanes;
const results: LaneResult[] = await Promise.all([
  runLane(first[0], first[1], "live"),
  ...rest.map(([name, args]) => runLane(name, args, "block")),
]);

for (const result of results) {
  if (result.code !== 0 && lanes.length > 1) {
    console.log(`\n${result.name} failed:\n${result.failures}`);
  }
}
console.log(summarize(results));
Deno.exit(results.some((r) => r.code !== 0) ? 1 : 0);
