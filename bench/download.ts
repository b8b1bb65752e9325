/**
 * Download benchmark: a 1 GiB file served on loopback, fetched by `curl -o` and by
 * `download()`: into the cache only, and through the cache to a destination (what
 * `limactl start` does for an image), each with and without a sha256 digest; then a cache
 * hit copied to a destination. Every run of a variant is paired with a `curl -o` run right
 * next to it and its ratio is taken to that curl time, so that load from other work shifts
 * both sides alike; the medians of those ratios are printed with median times and the peak
 * RSS of our download process. Targets: peak RSS under 100 MB; at most 1.5x curl for every
 * variant that transfers (a cache hit is reported only). Exits 1 when a target is missed.
 *
 *   deno run -A bench/download.ts [--size-mib N] [--runs N]
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "../tests/fixtures/http_server.ts";
import { cacheEntryDir } from "../core/download/cache_dir.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "size-mib": { type: "string", default: "1024" },
    runs: { type: "string", default: "5" },
  },
});
const sizeMiB = Number(values["size-mib"]);
const runs = Number(values.runs);
const MAX_RSS_MB = 100;
const MAX_RATIO = 1.5;

const dir = await Deno.makeTempDir({ prefix: "bench_download_" });
const server = startServer();
try {
  const source = join(dir, "source.img");
  const digest = await writeSource(source, sizeMiB);
  server.route("/image.img", {
    body: { file: source },
    lastModified: new Date().toUTCString(),
  });
  const url = server.url("/image.img");

  const child = join(dir, "child.ts");
  await Deno.writeTextFile(
    child,
    `import { download } from ${
      JSON.stringify(
        new URL("../core/download/download.ts", import.meta.url).href,
      )
    };\n` +
      `const [dest, url, cacheDir, digest] = Deno.args;\n` +
      `await download(dest, url, { cacheDir, digest: digest || undefined, progress: "none" });\n` +
      // VmHWM is the peak resident set size of this process.
      `console.log(/VmHWM:\\s+(\\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))![1]);\n`,
  );
  // Compile the child once so that type checking is not timed.
  await run(Deno.execPath(), ["cache", child]);

  const variants = [
    { name: "to cache", dest: false, digest: false, gated: true },
    { name: "to cache, sha256", dest: false, digest: true, gated: true },
    { name: "to dest via cache", dest: true, digest: false, gated: true },
    {
      name: "to dest via cache, sha256",
      dest: true,
      digest: true,
      gated: true,
    },
    // Runs on the cache the previous variant left: only the copy to the destination.
    { name: "cache hit to dest", dest: true, digest: true, gated: false },
  ];
  const seconds = new Map<string, number[]>();
  const ratios = new Map<string, number[]>();
  const rssKiB = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, name: string, x: number) =>
    m.set(name, [...m.get(name) ?? [], x]);
  const out = join(dir, "out.img");
  const cache = join(dir, "cache");
  const curl = async () => {
    const t = performance.now();
    await run("curl", ["-sSf", "-o", out, url]);
    const s = (performance.now() - t) / 1000;
    push(seconds, "curl -o", s);
    await Deno.remove(out);
    return s;
  };
  for (let i = 0; i < runs; i++) {
    for (const v of variants) {
      // Every transfer starts from an empty cache; the cache hit uses the one before it.
      if (v.gated) {
        await Deno.remove(cache, { recursive: true }).catch(() => {});
      }
      // Each variant is paired with a curl run right next to it, before it in even rounds
      // and after it in odd ones, so that load from other work drifting during a round
      // weighs on both sides alike.
      const before = i % 2 === 0 ? await curl() : 0;
      const t = performance.now();
      const stdout = await run(Deno.execPath(), [
        "run",
        "-A",
        child,
        v.dest ? out : "",
        url,
        cache,
        v.digest ? digest : "",
      ]);
      const s = (performance.now() - t) / 1000;
      const written = v.dest ? out : cacheEntryDir(url, cache) + "/data";
      if ((await Deno.stat(written)).size !== sizeMiB * 1024 * 1024) {
        throw new Error(`${v.name}: wrong size`);
      }
      if (v.dest) await Deno.remove(out);
      const after = i % 2 === 0 ? before : await curl();
      push(seconds, v.name, s);
      push(ratios, v.name, s / after);
      push(rssKiB, v.name, Number(stdout.trim()));
    }
  }

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const width = Math.max(...variants.map((v) => v.name.length));
  let ok = true;
  console.log(
    `${sizeMiB} MiB over loopback, medians of ${runs} runs; ratio = time / time of the curl run beside it`,
  );
  console.log(
    `${"curl -o".padEnd(width)} ${
      median(seconds.get("curl -o")!).toFixed(2).padStart(6)
    } s`,
  );
  for (const v of variants) {
    const ratio = median(ratios.get(v.name)!);
    const rssMB = Math.max(...rssKiB.get(v.name)!) * 1024 / 1e6;
    const line = [
      `${v.name.padEnd(width)} ${
        median(seconds.get(v.name)!).toFixed(2).padStart(6)
      } s`,
      `${ratio.toFixed(2)}x curl`,
      `peak RSS ${rssMB.toFixed(1)} MB`,
      `(ratios ${ratios.get(v.name)!.map((r) => r.toFixed(2)).join(" ")})`,
    ];
    if (rssMB >= MAX_RSS_MB || (v.gated && ratio > MAX_RATIO)) {
      ok = false;
      line.push("target missed");
    }
    if (!v.gated) line.push("not gated on time");
    console.log(line.join("  "));
  }
  console.log(
    `targets: <= ${MAX_RATIO}x curl, < ${MAX_RSS_MB} MB: ${
      ok ? "met" : "MISSED"
    }`,
  );
  if (!ok) Deno.exitCode = 1;
} finally {
  await server.close();
  await Deno.remove(dir, { recursive: true });
}

/** Writes SIZE MiB of incompressible bytes and returns their sha256 digest. */
async function writeSource(path: string, mib: number): Promise<string> {
  const block = new Uint8Array(1024 * 1024);
  const hash = createHash("sha256");
  const file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  try {
    for (let i = 0; i < mib; i++) {
      for (let off = 0; off < block.length; off += 65536) {
        crypto.getRandomValues(block.subarray(off, off + 65536));
      }
      hash.update(block);
      for (let off = 0; off < block.length;) {
        off += await file.write(block.subarray(off));
      }
    }
  } finally {
    file.close();
  }
  return "sha256:" + hash.digest("hex");
}

async function run(command: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}
