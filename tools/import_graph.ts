/**
 * Checks the repository's import graph: no cycle between files, no cycle between folders, and
 * no import against the layer table below. `deno task check` runs it; it prints every problem
 * and exits 1 when there is one.
 *
 * The graph comes from `deno info --json` over every .ts file of the repository: static
 * imports and re-exports, `import type`, and dynamic `import()` with a static specifier. Test
 * code (`*_test.ts`, `tests/`, `bench/`) may import anything, so its imports are left out.
 * Files are nodes by repository-relative path; npm packages by `npm:name`, without version.
 */

/** Imported files of each file, as repository-relative paths with `/`. */
export type Graph = Map<string, Set<string>>;

/** A layer: its folders, and the layers it may import directly (and, through them, below). */
export interface Layer {
  folders: string[];
  over: string[];
}

/**
 * The layers, top to bottom. A file may import files of its own folder and of the layers
 * reachable through `over`; folders of one layer do not import each other. The two stacks
 * meet at `plugins`: the core never names a specific driver, drivers never import `cli/`
 * or behaviour above the driver contract, and `plugins/` imports nothing from `cli/` or
 * `drivers/`.
 */
export const LAYERS: Record<string, Layer> = {
  main: { folders: ["."], over: ["cli", "driverTable"] },
  cli: { folders: ["cli"], over: ["cliCompletion"] },
  cliCompletion: { folders: ["cli/completion"], over: ["lifecycle"] },
  driverTable: { folders: ["drivers"], over: ["derivedDrivers"] },
  derivedDrivers: { folders: ["drivers/netbsd-qemu"], over: ["drivers"] },
  drivers: {
    folders: ["drivers/qemu", "drivers/vz", "drivers/wsl2"],
    over: ["driverHelpers"],
  },
  driverHelpers: { folders: ["drivers/common"], over: ["plugins"] },
  lifecycle: {
    folders: ["core/lifecycle", "core/completion"],
    over: ["mcp", "autostart"],
  },
  mcp: { folders: ["core/mcp"], over: ["reports"] },
  autostart: { folders: ["core/autostart"], over: ["hostagent"] },
  reports: { folders: ["core/report"], over: ["hostagent"] },
  hostagent: { folders: ["core/hostagent"], over: ["guestServices"] },
  guestServices: {
    folders: ["core/mounts", "core/portfwd"],
    over: ["guestagent"],
  },
  guestagent: { folders: ["core/guestagent"], over: ["ssh"] },
  ssh: { folders: ["core/ssh"], over: ["seed"] },
  seed: { folders: ["core/cidata"], over: ["bootScripts", "network"] },
  bootScripts: { folders: ["core/cidata/boot"], over: ["download"] },
  network: { folders: ["core/network"], over: ["usernet"] },
  usernet: { folders: ["core/network/usernet"], over: ["download"] },
  download: { folders: ["core/download"], over: ["template"] },
  template: { folders: ["core/template"], over: ["instance"] },
  instance: { folders: ["core/instance"], over: ["plugins"] },
  plugins: { folders: ["plugins"], over: ["validation"] },
  validation: { folders: ["core/config/validate"], over: ["config"] },
  config: { folders: ["core/config"], over: ["store"] },
  store: { folders: ["core/store"], over: ["languages"] },
  languages: {
    folders: ["core/yq", "core/text_template"],
    over: ["cliPlugins"],
  },
  cliPlugins: { folders: ["core/cli_plugins"], over: ["basics"] },
  basics: { folders: ["core"], over: ["builtinTemplates"] },
  builtinTemplates: { folders: ["templates"], over: [] },
};

/** Packages that only some layers may import: the command-line parser and menus belong to `cli/`. */
export const PACKAGE_LAYERS: Record<string, string[]> = {
  "npm:commander": ["main", "cli", "cliCompletion"],
  "npm:@commander-js/extra-typings": ["main", "cli", "cliCompletion"],
  // Terminal menus are drawn by the CLI; the core decides what an answer means.
  "npm:@inquirer/select": ["cli"],
  // The MCP SDK serves `limactl mcp`; nothing else speaks MCP.
  "npm:@modelcontextprotocol/sdk": ["mcp"],
};

/**
 * Imports left out of every check, each with the reason it still exists. Written as
 * `"from.ts -> to.ts"`.
 */
export const KNOWN_EXCEPTIONS: Record<string, string> = {};

/** Whether FILE is test code, whose imports are not checked. */
function isTestCode(file: string): boolean {
  return file.endsWith("_test.ts") || file.startsWith("tests/") ||
    file.startsWith("bench/");
}

/** The folder of FILE: its directory, `.` at the top. */
function folderOf(file: string): string {
  const slash = file.lastIndexOf("/");
  return slash < 0 ? "." : file.slice(0, slash);
}

/** Strongly connected components of more than one node, each sorted, in a stable order. */
function components(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of [...(edges.get(v) ?? [])].sort()) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

/** The shortest cycle through START inside COMPONENT, as a path that ends at START again. */
function cycleThrough(
  start: string,
  component: Set<string>,
  edges: Map<string, Set<string>>,
): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of [...(edges.get(v) ?? [])].sort()) {
      if (!component.has(w) || previous.has(w)) continue;
      previous.set(w, v);
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = previous.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      queue.push(w);
    }
  }
  return [start];
}

/** GRAPH without test code's imports and without the KNOWN exceptions. */
function checkedGraph(graph: Graph, known: Record<string, string>): Graph {
  const checked: Graph = new Map();
  for (const [from, targets] of graph) {
    if (isTestCode(from)) continue;
    checked.set(
      from,
      new Set([...targets].filter((to) => !(`${from} -> ${to}` in known))),
    );
  }
  return checked;
}

/** Cycles between files, one per set of files that import each other. */
function fileCycles(graph: Graph): string[][] {
  return components(graph).map((c) => cycleThrough(c[0], new Set(c), graph));
}

/** The imports from each folder to other folders: `from folder → to folder → file imports`. */
function folderImports(graph: Graph): Map<string, Map<string, string[]>> {
  const imports = new Map<string, Map<string, string[]>>();
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = folderOf(from), b = folderOf(to);
      if (a === b || to.startsWith("npm:")) continue;
      if (!imports.has(a)) imports.set(a, new Map());
      const byTarget = imports.get(a)!;
      byTarget.set(b, [...(byTarget.get(b) ?? []), `${from} -> ${to}`]);
    }
  }
  return imports;
}

/** Cycles between folders, each arrow with one file import that makes it. */
function folderCycles(graph: Graph): string[][] {
  const imports = folderImports(graph);
  const edges = new Map(
    [...imports].map(([a, byTarget]) => [a, new Set(byTarget.keys())]),
  );
  return components(edges).map((c) => {
    const cycle = cycleThrough(c[0], new Set(c), edges);
    return cycle.slice(1).map((to, i) =>
      `${cycle[i]} -> ${to} (${imports.get(cycle[i])!.get(to)!.sort()[0]})`
    );
  });
}

/** The layer of each folder; throws when a folder is in two layers. */
function layerOfFolder(layers: Record<string, Layer>): Map<string, string> {
  const layerOf = new Map<string, string>();
  for (const [name, layer] of Object.entries(layers)) {
    for (const folder of layer.folders) {
      if (layerOf.has(folder)) {
        throw new Error(`folder ${folder} is in two layers`);
      }
      layerOf.set(folder, name);
    }
  }
  return layerOf;
}

/** The layers below NAME: those reachable through `over`. */
function layersBelow(name: string, layers: Record<string, Layer>): Set<string> {
  const below = new Set<string>();
  const pending = [...layers[name].over];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (below.has(next)) continue;
    if (!(next in layers)) {
      throw new Error(`layer ${name} is over ${next}, which is not a layer`);
    }
    below.add(next);
    pending.push(...layers[next].over);
  }
  return below;
}

/** Imports between folders that the layer table does not allow, and folders it lacks. */
function layerViolations(
  graph: Graph,
  layers: Record<string, Layer>,
): string[] {
  const layerOf = layerOfFolder(layers);
  const problems: string[] = [];
  for (const [a, byTarget] of folderImports(graph)) {
    for (const [b, fileImports] of byTarget) {
      const from = layerOf.get(a), to = layerOf.get(b);
      if (from === undefined || to === undefined) {
        problems.push(
          `folder ${from === undefined ? a : b} is not in the layer table (${
            fileImports[0]
          })`,
        );
      } else if (!layersBelow(from, layers).has(to)) {
        for (const fileImport of fileImports.sort()) {
          problems.push(
            `${fileImport}: layer ${from} may not import layer ${to}`,
          );
        }
      }
    }
  }
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const allowed = PACKAGE_LAYERS[to];
      const layer = layerOf.get(folderOf(from));
      if (allowed && layer !== undefined && !allowed.includes(layer)) {
        problems.push(`${from} -> ${to}: layer ${layer} may not import ${to}`);
      }
    }
  }
  return problems.sort();
}

/** Every problem of GRAPH, one line each; empty when the graph is clean. */
export function importProblems(
  graph: Graph,
  layers: Record<string, Layer> = LAYERS,
  known: Record<string, string> = KNOWN_EXCEPTIONS,
): string[] {
  const checked = checkedGraph(graph, known);
  const unused = Object.keys(known).filter((edge) => {
    const [from, to] = edge.split(" -> ");
    return !graph.get(from)?.has(to);
  });
  return [
    ...fileCycles(checked).map((c) => `cycle between files: ${c.join(" -> ")}`),
    ...folderCycles(checked).map((c) =>
      `cycle between folders: ${c.join(", ")}`
    ),
    ...layerViolations(checked, layers),
    ...unused.map((edge) => `known exception no longer needed: ${edge}`),
  ];
}

/** The .ts files under DIR, relative to ROOT, without dot folders, `node_modules` and `dist`. */
async function tsFiles(root: URL, dir = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir, root))) {
    const path = dir + entry.name;
    if (entry.isDirectory) {
      if (
        entry.name.startsWith(".") ||
        ["node_modules", "dist"].includes(entry.name)
      ) continue;
      files.push(...await tsFiles(root, `${path}/`));
    } else if (entry.name.endsWith(".ts")) {
      files.push(path);
    }
  }
  return files;
}

interface DenoInfoDependency {
  code?: { specifier?: string };
  type?: { specifier?: string };
}

/** The import graph of the repository at ROOT (a directory URL ending in `/`), from `deno info`. */
export async function repoGraph(root: URL): Promise<Graph> {
  const files = await tsFiles(root);
  const rootModule = files.map((f) => `import "${new URL(f, root)}";`).join("");
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      "--config",
      "deno.json",
      `data:application/typescript,${encodeURIComponent(rootModule)}`,
    ],
    cwd: root,
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error("deno info failed");
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: { specifier: string; dependencies?: DenoInfoDependency[] }[];
  };
  const node = (specifier: string | undefined) =>
    specifier?.startsWith("npm:")
      ? specifier.replace(/^(npm:(?:@[^/]+\/)?[^@/]+).*$/, "$1")
      : relative(specifier);
  const relative = (specifier: string | undefined) =>
    specifier?.startsWith(root.href)
      ? decodeURIComponent(specifier.slice(root.href.length))
      : undefined;
  const graph: Graph = new Map();
  for (const module of info.modules) {
    const from = relative(module.specifier);
    if (from === undefined) continue;
    const targets = new Set<string>();
    for (const dependency of module.dependencies ?? []) {
      for (
        const to of [dependency.code?.specifier, dependency.type?.specifier]
      ) {
        const target = node(to);
        if (
          target?.startsWith("npm:") ||
          target?.endsWith(".ts") && target !== from
        ) {
          targets.add(target);
        }
      }
    }
    graph.set(from, targets);
  }
  return graph;
}

if (import.meta.main) {
  const problems = importProblems(
    await repoGraph(new URL("..", import.meta.url)),
  );
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`import graph: ${problems.length} problem(s)`);
    Deno.exit(1);
  }
}
