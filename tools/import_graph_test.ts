import assert from "node:assert/strict";
import {
  type Graph,
  importProblems,
  type Layer,
  LAYERS,
  PACKAGE_LAYERS,
  repoGraph,
} from "./import_graph.ts";

function graph(edges: Record<string, string[]>): Graph {
  return new Map(Object.entries(edges).map(([f, ts]) => [f, new Set(ts)]));
}

const layers: Record<string, Layer> = {
  top: { folders: ["cli"], over: ["middle"] },
  middle: { folders: ["core/a", "core/b"], over: ["bottom"] },
  bottom: { folders: ["core"], over: [] },
};

Deno.test("a clean graph has no problems", () => {
  const g = graph({
    "cli/x.ts": ["core/a/y.ts", "core/errors.ts"],
    "core/a/y.ts": ["core/a/z.ts", "core/errors.ts"],
    "core/a/z.ts": [],
  });
  assert.deepEqual(importProblems(g, layers, {}), []);
});

Deno.test("a cycle between files is reported as a path", () => {
  const g = graph({
    "core/a/x.ts": ["core/a/y.ts"],
    "core/a/y.ts": ["core/a/z.ts"],
    "core/a/z.ts": ["core/a/x.ts"],
  });
  assert.deepEqual(importProblems(g, layers, {}), [
    "cycle between files: core/a/x.ts -> core/a/y.ts -> core/a/z.ts -> core/a/x.ts",
  ]);
});

Deno.test("a cycle between folders names a file import for each arrow", () => {
  const g = graph({
    "core/a/x.ts": ["core/b/y.ts"],
    "core/b/z.ts": ["core/a/w.ts"],
  });
  const problems = importProblems(g, layers, {});
  assert.equal(
    problems[0],
    "cycle between folders: core/a -> core/b (core/a/x.ts -> core/b/y.ts), " +
      "core/b -> core/a (core/b/z.ts -> core/a/w.ts)",
  );
});

Deno.test("an upward import, a sibling import and an unknown folder are reported", () => {
  const g = graph({
    "core/errors.ts": ["cli/x.ts"],
    "core/a/x.ts": ["core/b/y.ts"],
    "drivers/d.ts": ["core/errors.ts"],
  });
  assert.deepEqual(importProblems(g, layers, {}), [
    "core/a/x.ts -> core/b/y.ts: layer middle may not import layer middle",
    "core/errors.ts -> cli/x.ts: layer bottom may not import layer top",
    "folder drivers is not in the layer table (drivers/d.ts -> core/errors.ts)",
  ]);
});

Deno.test("test code may import anything", () => {
  const g = graph({
    "core/x_test.ts": ["cli/x.ts"],
    "tests/e2e/y.ts": ["cli/x.ts"],
    "cli/x.ts": [],
  });
  assert.deepEqual(importProblems(g, layers, {}), []);
});

Deno.test("a known exception is skipped, and reported once it is gone", () => {
  const g = graph({ "core/errors.ts": ["cli/x.ts"] });
  assert.deepEqual(
    importProblems(g, layers, { "core/errors.ts -> cli/x.ts": "moving" }),
    [],
  );
  assert.deepEqual(
    importProblems(graph({}), layers, { "core/a.ts -> cli/x.ts": "moving" }),
    ["known exception no longer needed: core/a.ts -> cli/x.ts"],
  );
});

Deno.test("the command-line parser is for cli/ only", () => {
  const g = graph({ "core/config/e.ts": ["npm:commander"] });
  assert.deepEqual(importProblems(g, LAYERS, {}), [
    "core/config/e.ts -> npm:commander: layer config may not import npm:commander",
  ]);
  assert.ok("npm:commander" in PACKAGE_LAYERS);
});

Deno.test("the repository's graph includes type-only and dynamic imports and packages", async () => {
  const g = await repoGraph(new URL("..", import.meta.url));
  // `import type` of cli/app.ts, and `import()` of the lifecycle.
  assert.ok(g.get("cli/copy.ts")?.has("cli/app.ts"));
  assert.ok(g.get("cli/stop.ts")?.has("core/lifecycle/stop.ts"));
  assert.ok(g.get("cli/app.ts")?.has("npm:@commander-js/extra-typings"));
  assert.ok(
    g.get("cli/completion/tree.ts")?.has("npm:@commander-js/extra-typings"),
  );
});
