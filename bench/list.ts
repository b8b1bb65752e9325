/**
 * `limactl list` benchmark: 50 dummy instances in a temporary LIMA_HOME; `deno run -A main.ts
 * list` (the table, and `--format json` as tools poll it) is timed against `deno run` of an
 * empty script in the same run (interleaved, median of several runs). Prints the times and
 * ratios, with the load average since a busy machine skews them; target at most 2.5x. Exits 1
 * when missed.
 *
 *   deno run -A bench/list.ts [--instances N] [--runs N] [--format table,json]
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    instances: { type: "string", default: "50" },
    runs: { type: "string", default: "15" },
    format: { type: "string", default: "table,json" },
  },
});
const instances = Number(values.instances);
const runs = Number(values.runs);
const formats = values.format.split(",");
const MAX_RATIO = 2.5;
const main = fileURLToPath(new URL("../main.ts", import.meta.url));

const limaHome = await Deno.makeTempDir({ prefix: "lima-bench-" });
const empty = join(limaHome, "empty.ts");
await Deno.writeTextFile(empty, "");

async function timed(args: string[], stdin?: string): Promise<number> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: { LIMA_HOME: limaHome },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code, stderr } = await child.output();
  const elapsed = performance.now() - started;
  if (code !== 0) {
    throw new Error(
      `deno ${args.join(" ")} failed:\n${new TextDecoder().decode(stderr)}`,
    );
  }
  return elapsed;
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const names = Array.from(
    { length: instances },
    (_, i) => `bench-${String(i).padStart(2, "0")}`,
  );
  for (let i = 0; i < names.length; i += 10) {
    await Promise.all(
      names.slice(i, i + 10).map((name) =>
        timed(
          ["run", "-A", main, "create", "--name", name, "-"],
          "{images: [location: /etc/profile], disk: 1GiB}",
        )
      ),
    );
  }
  const listArgs = (format: string) => [
    "run",
    "-A",
    main,
    "list",
    ...(format === "table" ? [] : ["--format", format]),
  ];
  // Warm every path (module, code and config caches) before measuring.
  await timed(["run", "-A", empty]);
  for (const format of formats) await timed(listArgs(format));
  const emptyTimes: number[] = [];
  const listTimes = new Map(formats.map((f) => [f, [] as number[]]));
  for (let i = 0; i < runs; i++) {
    emptyTimes.push(await timed(["run", "-A", empty]));
    for (const format of formats) {
      listTimes.get(format)!.push(await timed(listArgs(format)));
    }
  }
  const base = median(emptyTimes);
  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => ""))
    .split(" ").slice(0, 3).join(" ");
  console.log(
    `instances: ${instances}, runs: ${runs}, load average: ${load || "?"}`,
  );
  console.log(`deno run (empty script):  ${base.toFixed(1)} ms`);
  for (const [format, times] of listTimes) {
    const ratio = median(times) / base;
    console.log(
      `limactl list (${format}):`.padEnd(26) +
        `${median(times).toFixed(1)} ms, ratio ${
          ratio.toFixed(2)
        }x (target <= ${MAX_RATIO}x)`,
    );
    if (ratio > MAX_RATIO) Deno.exitCode = 1;
  }
} finally {
  await Deno.remove(limaHome, { recursive: true });
}
