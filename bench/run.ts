/**
 * Runs the benchmarks one after another (`deno task bench [NAME...]`, e.g. `deno task bench list`).
 * Each prints its figures as ratios against a baseline it measures in the same run, and
 * exits non-zero when it misses its target.
 */
const all = ["list", "download", "portfwd", "guest_io", "boot", "network"];
const names = Deno.args.length > 0 ? Deno.args : all;
const unknown = names.filter((n) => !all.includes(n));
if (unknown.length > 0) {
  console.error(
    `Unknown benchmark ${unknown.join(", ")}; choose from ${all.join(", ")}.`,
  );
  Deno.exit(2);
}

let failed = 0;
for (const name of names) {
  console.log(`== bench/${name}.ts`);
  const script = new URL(`./${name}.ts`, import.meta.url).pathname;
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
  }).spawn().status;
  if (code !== 0) failed++;
}
Deno.exit(failed > 0 ? 1 : 0);
