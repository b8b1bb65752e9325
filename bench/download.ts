/**
 * Download benchmark: a 1 GiB file served on loopback, fetched by `curl -o` and by
 * `download()` in the same run: into the cache (with and without a sha256 digest), and
 * through the cache to a destination. Prints median times, the ratio to curl and the peak
 * RSS of our download process. Targets: peak RSS under 100 MB; time at most 1.5x curl's for
 * the cache variants. Exits 1 when a target is missed.
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
    runs: { type: "string", default: "3" },
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

  // The gated variants fetch into the cache, the same work as `curl -o` (one 1 GiB write).
  // The last one also copies to a destination, as `limactl start` does into the instance
  // directory: a second 1 GiB write that curl never makes, so it is reported but not gated.
  const variants = [
    { name: "download() to cache", dest: false, digest: false, gated: true },
    { name: "  + sha256", dest: false, digest: true, gated: true },
    { name: "  + copy to dest", dest: true, digest: true, gated: false },
  ];
  const seconds = new Map<string, number[]>();
  const rssKiB = new Map<string, number[]>();
  const record = (name: string, s: number, kib = 0) => {
    seconds.set(name, [...seconds.get(name) ?? [], s]);
    rssKiB.set(name, [...rssKiB.get(name) ?? [], kib]);
  };
  const out = join(dir, "out.img");
  const cache = join(dir, "cache");
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await run("curl", ["-sSf", "-o", out, url]);
    record("curl -o", (performance.now() - t) / 1000);
    await Deno.remove(out);

    for (const v of variants) {
      t = performance.now();
      const stdout = await run(Deno.execPath(), [
        "run",
        "-A",
        child,
        v.dest ? out : "",
        url,
        cache,
        v.digest ? digest : "",
      ]);
      record(v.name, (performance.now() - t) / 1000, Number(stdout.trim()));
      const written = v.dest ? out : cacheEntryDir(url, cache) + "/data";
      if ((await Deno.stat(written)).size !== sizeMiB * 1024 * 1024) {
        throw new Error(`${v.name}: wrong size`);
      }
      if (v.dest) await Deno.remove(out);
      await Deno.remove(cache, { recursive: true });
    }
  }

  const median = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const curl = median(seconds.get("curl -o")!);
  let ok = true;
  console.log(`${sizeMiB} MiB over loopback, median of ${runs} runs`);
  console.log(`${"curl -o".padEnd(22)} ${curl.toFixed(2).padStart(6)} s`);
  for (const v of variants) {
    const s = median(seconds.get(v.name)!);
    const ratio = s / curl;
    const rssMB = Math.max(...rssKiB.get(v.name)!) * 1024 / 1e6;
    const line = [
      `${v.name.padEnd(22)} ${s.toFixed(2).padStart(6)} s`,
      `${ratio.toFixed(2)}x curl`,
      `peak RSS ${rssMB.toFixed(1)} MB`,
    ];
    if (rssMB >= MAX_RSS_MB || (v.gated && ratio > MAX_RATIO)) {
      ok = false;
      line.push("(target missed)");
    }
    if (!v.gated) line.push("(not gated on time)");
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
