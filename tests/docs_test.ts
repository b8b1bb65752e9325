/**
 * The repository explains itself with what it contains: comments cite Lima's source or docs,
 * or our own docs, never sections of a document outside the repository, and every repository
 * path that docs/architecture.md names exists.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const SKIPPED_DIRS = new Set([".git", "node_modules", "dist"]);

/** A section sign followed by a number: the form of the out-of-repository spec's citations. */
const SECTION_CITATION = /\u00a7\s*\d|\bspec\s+\d+\.\d+/i;

/** Every text file under ROOT, as paths relative to it. */
function repoFiles(root: string, dir = ""): string[] {
  const files: string[] = [];
  const entries = [...Deno.readDirSync(join(root, dir))]
    .sort((a, b) => a.name < b.name ? -1 : 1);
  for (const entry of entries) {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory && !SKIPPED_DIRS.has(entry.name)) {
      files.push(...repoFiles(root, path));
    } else if (entry.isFile) {
      files.push(path);
    }
  }
  return files;
}

/** `file:line: text` for each line under ROOT that cites a section number. */
export function sectionCitations(root: string): string[] {
  const found: string[] = [];
  for (const file of repoFiles(root)) {
    const bytes = Deno.readFileSync(join(root, file));
    if (bytes.includes(0)) continue;
    new TextDecoder().decode(bytes).split("\n").forEach((line, i) => {
      if (SECTION_CITATION.test(line)) {
        found.push(`${file}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  return found;
}

/**
 * The backticked spans of MARKDOWN that name a repository path (a path under one of ROOT's
 * top-level folders, or a file name with an extension at the top level) and do not exist.
 * Spans with placeholders (`drivers/<name>/`) or spaces are prose, not paths.
 */
export function missingPaths(markdown: string, root: string): string[] {
  const topFolders = new Set(
    [...Deno.readDirSync(root)].filter((e) => e.isDirectory).map((e) => e.name),
  );
  // An empty folder is what a move leaves behind in a working tree; git does not keep it.
  const exists = (path: string) => {
    try {
      const full = join(root, path);
      return Deno.statSync(full).isFile ||
        !Deno.readDirSync(full)[Symbol.iterator]().next().done;
    } catch {
      return false;
    }
  };
  const missing = new Set<string>();
  for (const [, span] of markdown.matchAll(/`([\w./-]+)`/g)) {
    const names = span.includes("/")
      ? topFolders.has(span.split("/")[0])
      : /^[\w-]+\.(ts|md|json|lock)$/.test(span);
    if (names && !exists(span)) missing.add(span);
  }
  return [...missing];
}

Deno.test("no file cites a section of a document outside the repository", () => {
  assert.deepEqual(sectionCitations(ROOT), []);
});

Deno.test("every repository path in docs/architecture.md exists", () => {
  const doc = Deno.readTextFileSync(join(ROOT, "docs/architecture.md"));
  assert.deepEqual(missingPaths(doc, ROOT), []);
});

Deno.test("a section citation is found in any file, a Lima path is not one", () => {
  const root = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(join(root, "core"));
    Deno.writeTextFileSync(
      join(root, "core/a.ts"),
      "// ok\n/** Events (spec \u00a76.5). */\n// Lima's `pkg/hostagent/events/events.go`\n",
    );
    Deno.writeTextFileSync(join(root, "b.md"), "order (spec " + "2.4)\n");
    assert.deepEqual(sectionCitations(root), [
      "b.md:1: order (spec " + "2.4)",
      "core/a.ts:2: /** Events (spec \u00a76.5). */",
    ]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("a missing repository path is reported, Lima's paths and code are not", () => {
  const root = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(join(root, "core/lifecycle"), { recursive: true });
    Deno.mkdirSync(join(root, "core/list"));
    Deno.writeTextFileSync(join(root, "core/lifecycle/start.ts"), "");
    Deno.writeTextFileSync(join(root, "main.ts"), "");
    const doc = [
      "`core/lifecycle/start.ts` `core/lifecycle/` `main.ts` `core/store/instance.ts`",
      "`cli/start.ts` (no `cli/` folder in this root), Lima's `pkg/instance/start.go`,",
      "`limactl start NAME`, `drivers/<name>/mod.ts`, `gone.ts`, `core/list/` (empty).",
    ].join("\n");
    assert.deepEqual(missingPaths(doc, root), [
      "core/store/instance.ts",
      "gone.ts",
      "core/list/",
    ]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
