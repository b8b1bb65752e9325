/**
 * `limactl list` is polled by Colima and other tools, so what a plain list run loads is part of
 * its speed: the first `node:` module or npm package costs more than listing 50 instances
 * (`bench/list.ts` measures it). The modules main.ts and the list report load up front must
 * bring in neither; other modules they need are imported where the need arises.
 */
import assert from "node:assert/strict";

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
}

/** The specifiers ENTRY loads before it runs: its static imports, transitively. */
async function staticClosure(entry: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--config", "deno.json", entry],
    cwd: new URL("..", import.meta.url),
    stderr: "inherit",
  }).output();
  assert.ok(output.success, `deno info ${entry} failed`);
  const { roots, modules } = JSON.parse(
    new TextDecoder().decode(output.stdout),
  ) as { roots: string[]; modules: InfoModule[] };
  const bySpecifier = new Map(modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const specifier = pending.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dependency.code && !dependency.isDynamic) {
        pending.push(dependency.code.specifier);
      }
    }
  }
  return [...seen];
}

for (const entry of ["main.ts", "core/report/list.ts"]) {
  Deno.test(`limactl list: ${entry} loads no node: module or npm package up front`, async () => {
    const heavy = (await staticClosure(entry)).filter((s) =>
      s.startsWith("node:") || s.startsWith("npm:")
    );
    assert.deepEqual(heavy, []);
  });
}
