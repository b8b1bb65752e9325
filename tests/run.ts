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

const lanes: [string, string[]][] = Deno.args.length > 0
  ? [["tests", Deno.args]]
  : [["VM tests", ["tests/e2e/"]], ["other tests", ["--ignore=tests/e2e/"]]];

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
