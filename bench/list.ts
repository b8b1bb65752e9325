/**
 * `limactl list` benchmark: 50 dummy instances in a temporary LIMA_HOME; `deno run -A main.ts
 * list` is timed against `deno run` of an empty script in the same run (interleaved, median
 * of several runs). Prints both times and the ratio; target at most 2.5x. Exits 1 when missed.
 *
 *   deno run -A bench/list.ts [--instances N] [--runs N] [--format table|json]
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    instances: { type: "string", default: "50" },
    runs: { type: "string", default: "10" },
    format: { type: "string", default: "table" },
  },
});
const instances = Number(values.instances);
const runs = Number(values.runs);
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
  const listArgs = [
    "run",
    "-A",
    main,
    "list",
    ...(values.format === "table" ? [] : ["--format", values.format]),
  ];
  // Warm both paths (module and code caches) before measuring.
  await timed(["run", "-A", empty]);
  await timed(listArgs);
  const emptyTimes: number[] = [];
  const listTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    emptyTimes.push(await timed(["run", "-A", empty]));
    listTimes.push(await timed(listArgs));
  }
  const base = median(emptyTimes);
  const list = median(listTimes);
  const ratio = list / base;
  console.log(
    `instances: ${instances}, runs: ${runs}, format: ${values.format}`,
  );
  console.log(`deno run (empty script): ${base.toFixed(1)} ms`);
  console.log(`limactl list:            ${list.toFixed(1)} ms`);
  console.log(`ratio: ${ratio.toFixed(2)}x (target <= ${MAX_RATIO}x)`);
  if (ratio > MAX_RATIO) Deno.exitCode = 1;
} finally {
  await Deno.remove(limaHome, { recursive: true });
}
