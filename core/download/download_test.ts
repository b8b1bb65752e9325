import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { download } from "./download.ts";
import { cacheEntryDir } from "./cache_dir.ts";
import { configureLogger } from "../log.ts";
import { LimaError } from "../errors.ts";
import {
  type Route,
  startServer,
  type TestServer,
} from "../../tests/fixtures/http_server.ts";
import type { Progress } from "./progress.ts";

const LM1 = "Mon, 01 Jan 2024 00:00:00 GMT";
const LM2 = "Tue, 02 Jan 2024 00:00:00 GMT";

function payload(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function sha256(data: Uint8Array): string {
  return "sha256:" + createHash("sha256").update(data).digest("hex");
}

/** A temporary cache and destination directory, a server, and captured log lines. */
async function setup(): Promise<{
  dir: string;
  cache: string;
  server: TestServer;
  logs: string[];
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const dir = await Deno.makeTempDir({ prefix: "download_test_" });
  const logs: string[] = [];
  configureLogger({
    level: "info",
    format: "text",
    terminal: false,
    write: (l) => logs.push(l),
  });
  const server = startServer();
  return {
    dir,
    cache: join(dir, "cache"),
    server,
    logs,
    async [Symbol.asyncDispose]() {
      await server.close();
      configureLogger({
        level: "info",
        format: "text",
        terminal: Deno.stderr.isTerminal(),
        write: (l) => Deno.stderr.writeSync(new TextEncoder().encode(l + "\n")),
      });
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function entryFiles(cache: string, url: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(cacheEntryDir(url, cache))) {
      names.push(e.name);
    }
  } catch {
    // No entry at all.
  }
  return names.sort();
}

Deno.test("download fetches a URL into the cache in Lima's layout and copies it to the destination", async () => {
  await using t = await setup();
  const body = payload(300_000);
  t.server.route("/img", {
    body,
    lastModified: LM1,
    contentType: "application/octet-stream",
  });
  const url = t.server.url("/img");
  const dest = join(t.dir, "image");

  const result = await download(dest, url, {
    cacheDir: t.cache,
    digest: sha256(body),
    progress: "none",
  });

  assert.equal(result.status, "downloaded");
  assert.equal(result.validatedDigest, true);
  assert.deepEqual(await Deno.readFile(dest), body);
  const entry = cacheEntryDir(url, t.cache);
  assert.equal(result.cachePath, join(entry, "data"));
  assert.equal(
    entry,
    join(
      t.cache,
      "download",
      "by-url-sha256",
      createHash("sha256").update(url).digest("hex"),
    ),
  );
  assert.deepEqual(await Deno.readFile(join(entry, "data")), body);
  assert.equal(await Deno.readTextFile(join(entry, "url")), url);
  assert.equal(await Deno.readTextFile(join(entry, "time")), LM1);
  assert.equal(
    await Deno.readTextFile(join(entry, "type")),
    "application/octet-stream",
  );
  assert.equal(
    await Deno.readTextFile(join(entry, "sha256.digest")),
    sha256(body),
  );
  assert.ok(
    !(await entryFiles(t.cache, url)).some((n) => n.startsWith("data.")),
    "no partial files left",
  );
});

Deno.test("a cache hit with a recorded digest sends no request at all", async () => {
  await using t = await setup();
  const body = payload(10_000);
  t.server.route("/img", { body, lastModified: LM1 });
  const url = t.server.url("/img");
  await download(join(t.dir, "a"), url, {
    cacheDir: t.cache,
    digest: sha256(body),
    progress: "none",
  });
  const second = await download(join(t.dir, "b"), url, {
    cacheDir: t.cache,
    digest: sha256(body),
    progress: "none",
  });

  assert.equal(second.status, "used-cache");
  assert.deepEqual(await Deno.readFile(join(t.dir, "b")), body);
  assert.equal(t.server.requests.length, 1);
});

Deno.test("an existing destination is skipped without a request", async () => {
  await using t = await setup();
  t.server.route("/img", { body: payload(100) });
  const dest = join(t.dir, "image");
  await Deno.writeTextFile(dest, "already here");
  const result = await download(dest, t.server.url("/img"), {
    cacheDir: t.cache,
    progress: "none",
  });
  assert.equal(result.status, "skipped");
  assert.equal(await Deno.readTextFile(dest), "already here");
  assert.equal(t.server.requests.length, 0);
});

Deno.test("a digest-less cache hit checks Last-Modified and re-downloads when it changed", async () => {
  await using t = await setup();
  const v1 = payload(5_000, 1);
  const v2 = payload(6_000, 2);
  t.server.route("/img", { body: v1, lastModified: LM1 });
  const url = t.server.url("/img");
  await download(join(t.dir, "a"), url, {
    cacheDir: t.cache,
    progress: "none",
  });

  const same = await download(join(t.dir, "b"), url, {
    cacheDir: t.cache,
    progress: "none",
  });
  assert.equal(same.status, "used-cache");
  assert.equal(t.server.count("/img", "GET"), 1);
  assert.equal(t.server.count("/img", "HEAD"), 1);

  t.server.route("/img", { body: v2, lastModified: LM2 });
  const changed = await download(join(t.dir, "c"), url, {
    cacheDir: t.cache,
    progress: "none",
  });
  assert.equal(changed.status, "downloaded");
  assert.deepEqual(await Deno.readFile(join(t.dir, "c")), v2);
  assert.equal(t.server.count("/img", "GET"), 2);
  assert.equal(
    await Deno.readTextFile(join(cacheEntryDir(url, t.cache), "time")),
    LM2,
  );
  assert.ok(
    t.logs.some((l) =>
      l.includes("Re-downloading digest-less image: last-modified mismatch") &&
      l.includes(LM1) &&
      l.includes(LM2)
    ),
    t.logs.join("\n"),
  );
});

Deno.test("a digest-less cache hit notices a changed ETag when there is no Last-Modified", async () => {
  await using t = await setup();
  t.server.route("/img", { body: payload(1_000, 1), etag: '"v1"' });
  const url = t.server.url("/img");
  await download(join(t.dir, "a"), url, {
    cacheDir: t.cache,
    progress: "none",
  });
  assert.equal(
    (await download(join(t.dir, "b"), url, {
      cacheDir: t.cache,
      progress: "none",
    })).status,
    "used-cache",
  );

  t.server.route("/img", { body: payload(1_000, 2), etag: '"v2"' });
  const changed = await download(join(t.dir, "c"), url, {
    cacheDir: t.cache,
    progress: "none",
  });
  assert.equal(changed.status, "downloaded");
  assert.deepEqual(await Deno.readFile(join(t.dir, "c")), payload(1_000, 2));
});

Deno.test("a digest-less cache entry is used when the server cannot be asked", async () => {
  await using t = await setup();
  const body = payload(2_000);
  t.server.route("/img", { body, lastModified: LM1 });
  const url = t.server.url("/img");
  await download(join(t.dir, "a"), url, {
    cacheDir: t.cache,
    progress: "none",
  });
  t.server.route("/img", { status: 500, body: new Uint8Array() });
  const result = await download(join(t.dir, "b"), url, {
    cacheDir: t.cache,
    progress: "none",
  });
  assert.equal(result.status, "used-cache");
  assert.deepEqual(await Deno.readFile(join(t.dir, "b")), body);
  assert.ok(t.logs.some((l) => l.includes("using cached image")));
});

Deno.test("redirects are followed and the entry is keyed by the original URL", async () => {
  await using t = await setup();
  const body = payload(4_000);
  t.server.route("/old", { redirect: "/new" });
  t.server.route("/new", { body, lastModified: LM1 });
  const url = t.server.url("/old");
  const dest = join(t.dir, "image");
  await download(dest, url, { cacheDir: t.cache, progress: "none" });
  assert.deepEqual(await Deno.readFile(dest), body);
  assert.equal(
    await Deno.readTextFile(join(cacheEntryDir(url, t.cache), "url")),
    url,
  );
  assert.equal(t.server.count("/new", "GET"), 1);
});

Deno.test("a 404 fails with the status and leaves neither destination nor cache data", async () => {
  await using t = await setup();
  const url = t.server.url("/missing");
  const dest = join(t.dir, "image");
  await assert.rejects(
    download(dest, url, { cacheDir: t.cache, progress: "none" }),
    (err: unknown) =>
      err instanceof LimaError && err.message.includes(url) &&
      err.message.includes("404"),
  );
  assert.equal(await exists(dest), false);
  assert.ok(!(await entryFiles(t.cache, url)).includes("data"));
});

Deno.test("a truncated body fails; the partial file is kept for resuming only when the server gave a validator", async () => {
  await using t = await setup();
  const body = payload(200_000);
  t.server.route("/plain", { body, truncateAt: 50_000, chunkSize: 10_000 });
  t.server.route("/validated", {
    body,
    truncateAt: 50_000,
    chunkSize: 10_000,
    lastModified: LM1,
  });
  const dest = join(t.dir, "image");

  for (const path of ["/plain", "/validated"]) {
    const url = t.server.url(path);
    await assert.rejects(
      download(dest, url, { cacheDir: t.cache, progress: "none" }),
      (err: unknown) =>
        err instanceof LimaError && err.message.includes(url) &&
        err.message.includes("the connection closed after"),
    );
    assert.equal(await exists(dest), false);
    const files = await entryFiles(t.cache, url);
    assert.ok(!files.includes("data"), `${path}: ${files}`);
    assert.equal(
      files.includes("data.part"),
      path === "/validated",
      `${path}: ${files}`,
    );
  }
});

Deno.test("an interrupted download resumes with a Range request and verifies the whole file", async () => {
  await using t = await setup();
  const body = payload(500_000);
  t.server.route("/img", {
    body,
    lastModified: LM1,
    ranges: true,
    truncateAt: 200_000,
    chunkSize: 50_000,
  });
  const url = t.server.url("/img");
  const dest = join(t.dir, "image");
  await assert.rejects(
    download(dest, url, {
      cacheDir: t.cache,
      digest: sha256(body),
      progress: "none",
    }),
  );
  const kept =
    (await Deno.stat(join(cacheEntryDir(url, t.cache), "data.part"))).size;
  assert.ok(kept > 0 && kept < body.length, `kept ${kept}`);

  t.server.route("/img", { body, lastModified: LM1, ranges: true });
  const seen: Progress[] = [];
  const result = await download(dest, url, {
    cacheDir: t.cache,
    digest: sha256(body),
    progress: "none",
    onProgress: (p) => seen.push(p),
  });
  assert.equal(result.status, "downloaded");
  assert.deepEqual(await Deno.readFile(dest), body);
  const last = t.server.requests.at(-1)!;
  assert.equal(last.headers.get("range"), `bytes=${kept}-`);
  assert.equal(last.headers.get("if-range"), LM1);
  assert.equal(seen.at(-1)?.bytes, body.length);
  assert.ok(t.logs.some((l) => l.includes("Resuming the download")));
});

Deno.test("a partial file from a killed download restarts cleanly when the server ignores Range", async () => {
  await using t = await setup();
  const body = payload(100_000);
  t.server.route("/img", { body, lastModified: LM1 });
  const url = t.server.url("/img");
  const entry = cacheEntryDir(url, t.cache);
  await Deno.mkdir(entry, { recursive: true });
  // What a process killed mid-transfer leaves behind: a prefix plus its validator.
  await Deno.writeFile(join(entry, "data.part"), payload(30_000, 9));
  await Deno.writeTextFile(join(entry, "data.part.validator"), LM1);

  const dest = join(t.dir, "image");
  await download(dest, url, {
    cacheDir: t.cache,
    digest: sha256(body),
    progress: "none",
  });
  assert.deepEqual(await Deno.readFile(dest), body);
  assert.equal(t.server.count("/img", "GET"), 1);
});

Deno.test("a partial file is not resumed when the remote changed in between (If-Range)", async () => {
  await using t = await setup();
  const body = payload(100_000, 3);
  t.server.route("/img", { body, lastModified: LM2, ranges: true });
  const url = t.server.url("/img");
  const entry = cacheEntryDir(url, t.cache);
  await Deno.mkdir(entry, { recursive: true });
  await Deno.writeFile(join(entry, "data.part"), payload(30_000, 9));
  await Deno.writeTextFile(join(entry, "data.part.validator"), LM1);

  const dest = join(t.dir, "image");
  await download(dest, url, { cacheDir: t.cache, progress: "none" });
  assert.deepEqual(await Deno.readFile(dest), body);
});

/**
 * Serves file A by ROUTE.a, cut after 40 000 bytes, and lets a download fail on it; then
 * serves file B (same size) by ROUTE.b and downloads again. Returns B's digest, that of the
 * destination (digests: a failed byte comparison would print a diff of megabytes) and how
 * many requests the second download made.
 */
async function swapMidDownload(
  t: { dir: string; cache: string; server: TestServer },
  route: { a: Route; b: Route },
  digest?: (b: Uint8Array) => string,
): Promise<{ b: string; got: string; seen: number }> {
  const a = payload(120_000, 4);
  const b = payload(120_000, 5);
  const url = t.server.url("/img");
  const dest = join(t.dir, "image");
  t.server.route("/img", {
    ...route.a,
    body: a,
    truncateAt: 40_000,
    chunkSize: 10_000,
  });
  await assert.rejects(
    download(dest, url, {
      cacheDir: t.cache,
      digest: digest?.(b),
      progress: "none",
    }),
  );
  const before = t.server.requests.length;
  t.server.route("/img", { ...route.b, body: b });
  await download(dest, url, {
    cacheDir: t.cache,
    digest: digest?.(b),
    progress: "none",
  });
  return {
    b: sha256(b),
    got: sha256(await Deno.readFile(dest)),
    seen: t.server.requests.length - before,
  };
}

Deno.test("a file replaced within the second of its Last-Modified is downloaded again, not joined to the partial one", async () => {
  await using t = await setup();
  // Last-Modified equal to Date is weak: a second file written in that second has the same one.
  const headers = { lastModified: LM1, date: LM1, ranges: true };
  const { b, got } = await swapMidDownload(t, { a: headers, b: headers });
  assert.equal(got, b);
  const last = t.server.requests.at(-1)!;
  assert.equal(last.headers.get("range"), null);
});

for (const withDigest of [false, true]) {
  Deno.test(
    `a server that ignores If-Range cannot join two files ${
      withDigest ? "with" : "without"
    } a digest: its new ETag restarts the download`,
    async () => {
      await using t = await setup();
      const { b, got } = await swapMidDownload(t, {
        a: { etag: '"a"', ranges: true },
        b: { etag: '"b"', ranges: true, ignoreIfRange: true },
      }, withDigest ? sha256 : undefined);
      assert.equal(got, b);
      assert.equal(t.server.requests.at(-1)!.headers.get("range"), null);
    },
  );
}

for (
  const [validator, a] of [
    ["ETag", { etag: '"a"' }],
    ["Last-Modified", { lastModified: LM1 }],
  ] as const
) {
  Deno.test(`a 206 that names no ${validator} is not trusted: a server that ignores If-Range cannot join two files`, async () => {
    await using t = await setup();
    const { b, got, seen } = await swapMidDownload(t, {
      a: { ...a, ranges: true },
      b: { ranges: true, ignoreIfRange: true, bareRanges: true },
    });
    assert.equal(got, b);
    assert.equal(seen, 2);
    assert.ok(t.server.requests.at(-2)!.headers.has("if-range"));
    assert.equal(t.server.requests.at(-1)!.headers.get("range"), null);
    assert.ok(!t.logs.some((l) => l.includes("Resuming the download")));
  });
}

Deno.test("a 206 that starts elsewhere than asked is not trusted: the download starts over", async () => {
  await using t = await setup();
  const headers = { etag: '"a"', ranges: true };
  const { b, got, seen } = await swapMidDownload(t, {
    a: headers,
    b: { ...headers, rangeShift: 1_000 },
  });
  assert.equal(got, b);
  assert.equal(seen, 2);
  assert.equal(t.server.requests.at(-1)!.headers.get("range"), null);
});

Deno.test("with a digest, a resumed download that does not match is discarded and fetched once more from the start", async () => {
  await using t = await setup();
  // A server that keeps the ETag for new content: only the digest can tell.
  const headers = { etag: '"same"', ranges: true };
  const { b, got, seen } = await swapMidDownload(
    t,
    { a: headers, b: headers },
    sha256,
  );
  assert.equal(got, b);
  assert.equal(seen, 2);
  assert.equal(t.server.requests.at(-2)!.headers.get("if-range"), '"same"');
  assert.equal(t.server.requests.at(-1)!.headers.get("range"), null);
  assert.ok(
    t.logs.some((l) => l.includes("downloading it again from the start")),
  );
  assert.deepEqual(
    await entryFiles(t.cache, t.server.url("/img")),
    ["data", "sha256.digest", "url", "etag"].sort(),
  );
});

Deno.test("a resumed download that fails its digest again from the start gives up with the mismatch", async () => {
  await using t = await setup();
  const headers = { etag: '"same"', ranges: true };
  await assert.rejects(
    swapMidDownload(t, { a: headers, b: headers }, () => sha256(payload(1))),
    (err: unknown) =>
      err instanceof LimaError && err.message.includes("digest"),
  );
  assert.equal(t.server.count("/img", "GET"), 3);
});

Deno.test("a slow body still completes and reports progress along the way", async () => {
  await using t = await setup();
  const body = payload(40_000);
  t.server.route("/img", { body, chunkSize: 2_000, chunkDelayMs: 15 });
  const seen: Progress[] = [];
  const dest = join(t.dir, "image");
  await download(dest, t.server.url("/img"), {
    cacheDir: t.cache,
    progress: "none",
    onProgress: (p) => seen.push(p),
  });
  assert.deepEqual(await Deno.readFile(dest), body);
  assert.ok(seen.length >= 2, `${seen.length} events`);
  assert.ok(seen.every((p, i) => i === 0 || p.bytes >= seen[i - 1].bytes));
  assert.deepEqual({
    done: seen.at(-1)!.done,
    bytes: seen.at(-1)!.bytes,
    total: seen.at(-1)!.total,
  }, {
    done: true,
    bytes: body.length,
    total: body.length,
  });
});

Deno.test("an aborted download leaves no destination and no cache data", async () => {
  await using t = await setup();
  t.server.route("/img", {
    body: payload(40_000),
    chunkSize: 1_000,
    chunkDelayMs: 20,
  });
  const url = t.server.url("/img");
  const dest = join(t.dir, "image");
  const controller = new AbortController();
  const pending = download(dest, url, {
    cacheDir: t.cache,
    progress: "none",
    signal: controller.signal,
    onProgress: (p) =>
      p.bytes > 5_000 && controller.abort(new Error("stopped by the user")),
  });
  await assert.rejects(pending, /stopped by the user/);
  assert.equal(await exists(dest), false);
  assert.ok(!(await entryFiles(t.cache, url)).includes("data"));
});

Deno.test("a digest mismatch fails with both digests and leaves nothing in the cache", async () => {
  await using t = await setup();
  const body = payload(20_000);
  t.server.route("/img", { body, lastModified: LM1 });
  const url = t.server.url("/img");
  const wrong = "sha256:" + "0".repeat(64);
  const dest = join(t.dir, "image");
  await assert.rejects(
    download(dest, url, { cacheDir: t.cache, digest: wrong, progress: "none" }),
    (err: unknown) =>
      err instanceof LimaError && err.message.includes(wrong) &&
      err.message.includes(sha256(body)),
  );
  assert.equal(await exists(dest), false);
  const files = await entryFiles(t.cache, url);
  assert.ok(
    !files.some((n) => n.startsWith("data") || n.endsWith(".digest")),
    `${files}`,
  );

  const ok = await download(dest, url, {
    cacheDir: t.cache,
    digest: sha256(body),
    progress: "none",
  });
  assert.equal(ok.status, "downloaded");
  assert.deepEqual(await Deno.readFile(dest), body);
});

/** Names in DIR other than the cache directory: what a failed download left beside DEST. */
async function leftBeside(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.name !== "cache") names.push(e.name);
  }
  return names.sort();
}

Deno.test("the destination is written during the transfer and nothing is left of it when the transfer stops", async () => {
  await using t = await setup();
  const body = payload(400_000);
  t.server.route("/img", {
    body,
    lastModified: LM1,
    ranges: true,
    chunkSize: 10_000,
    chunkDelayMs: 5,
  });
  const url = t.server.url("/img");
  const dest = join(t.dir, "image");
  const controller = new AbortController();
  let during: { name: string; size: number }[] = [];
  await assert.rejects(
    download(dest, url, {
      cacheDir: t.cache,
      digest: sha256(body),
      progress: "none",
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytes < 150_000 || controller.signal.aborted) return;
        during = [...Deno.readDirSync(t.dir)]
          .filter((e) => e.name !== "cache")
          .map((e) => ({
            name: e.name,
            size: Deno.statSync(join(t.dir, e.name)).size,
          }));
        controller.abort(new Error("stopped by the user"));
      },
    }),
    /stopped by the user/,
  );
  // Mid-transfer, a hidden temporary file beside DEST already held the bytes received.
  assert.equal(during.length, 1, JSON.stringify(during));
  assert.match(during[0].name, /^\.image\.\d+(-\d+)?\.[0-9a-f]{8}\.tmp$/);
  assert.ok(during[0].size > 0, JSON.stringify(during));
  assert.deepEqual(await leftBeside(t.dir), []);
  const files = await entryFiles(t.cache, url);
  assert.ok(
    !files.some((n) => n === "data" || n.endsWith(".digest")),
    `${files}`,
  );

  // The partial cache file resumes; the destination gets the whole file, prefix included.
  t.server.route("/img", { body, lastModified: LM1, ranges: true });
  await download(dest, url, {
    cacheDir: t.cache,
    digest: sha256(body),
    progress: "none",
  });
  assert.match(t.server.requests.at(-1)!.headers.get("range") ?? "", /^bytes=/);
  assert.deepEqual(await Deno.readFile(dest), body);
  assert.deepEqual(await leftBeside(t.dir), ["image"]);
});

Deno.test("a digest mismatch or a cut connection leaves no file beside the destination", async () => {
  await using t = await setup();
  const body = payload(300_000);
  t.server.route("/img", { body, lastModified: LM1, chunkSize: 20_000 });
  t.server.route("/cut", {
    body,
    truncateAt: 120_000,
    chunkSize: 20_000,
  });
  const dest = join(t.dir, "image");

  const url = t.server.url("/img");
  await assert.rejects(
    download(dest, url, {
      cacheDir: t.cache,
      digest: "sha256:" + "1".repeat(64),
      progress: "none",
    }),
    /does not match the expected digest/,
  );
  assert.deepEqual(await leftBeside(t.dir), []);
  assert.ok(
    !(await entryFiles(t.cache, url)).some((n) =>
      n.startsWith("data") || n.endsWith(".digest")
    ),
  );

  const cut = t.server.url("/cut");
  await assert.rejects(
    download(dest, cut, { cacheDir: t.cache, progress: "none" }),
    /the connection closed after/,
  );
  assert.deepEqual(await leftBeside(t.dir), []);
  assert.ok(
    !(await entryFiles(t.cache, cut)).some((n) => n.startsWith("data")),
  );
});

Deno.test("a destination in a missing directory fails naming it before any data is cached", async () => {
  await using t = await setup();
  t.server.route("/img", { body: payload(50_000), lastModified: LM1 });
  const url = t.server.url("/img");
  const dest = join(t.dir, "missing", "image");
  await assert.rejects(
    download(dest, url, { cacheDir: t.cache, progress: "none" }),
    (err: unknown) =>
      err instanceof LimaError &&
      err.message.includes(`cannot write "${dest}"`),
  );
  assert.ok(!(await entryFiles(t.cache, url)).includes("data"));
});

Deno.test("a cache hit whose recorded digest differs from the expected one fails and drops the entry", async () => {
  await using t = await setup();
  const body = payload(20_000);
  t.server.route("/img", { body });
  const url = t.server.url("/img");
  await download(join(t.dir, "a"), url, {
    cacheDir: t.cache,
    digest: sha256(body),
    progress: "none",
  });
  const other = "sha256:" + "1".repeat(64);
  await assert.rejects(
    download(join(t.dir, "b"), url, {
      cacheDir: t.cache,
      digest: other,
      progress: "none",
    }),
    (err: unknown) =>
      err instanceof LimaError && err.message.includes(other) &&
      err.message.includes(sha256(body)),
  );
  assert.equal(await exists(join(t.dir, "b")), false);
  assert.ok(!(await entryFiles(t.cache, url)).includes("data"));
});

Deno.test("a sha512 digest is verified and recorded", async () => {
  await using t = await setup();
  const body = payload(3_000);
  t.server.route("/img", { body });
  const url = t.server.url("/img");
  const digest = "sha512:" + createHash("sha512").update(body).digest("hex");
  await download(join(t.dir, "a"), url, {
    cacheDir: t.cache,
    digest,
    progress: "none",
  });
  assert.equal(
    await Deno.readTextFile(join(cacheEntryDir(url, t.cache), "sha512.digest")),
    digest,
  );
  await assert.rejects(
    download(join(t.dir, "b"), url, {
      cacheDir: t.cache,
      digest: "sha1:abc",
      progress: "none",
    }),
    /unsupported digest algorithm/,
  );
});

Deno.test("concurrent downloads of one URL in this process share one transfer", async () => {
  await using t = await setup();
  const body = payload(60_000);
  t.server.route("/img", { body, chunkSize: 6_000, chunkDelayMs: 10 });
  const url = t.server.url("/img");
  const digest = sha256(body);
  const results = await Promise.all(
    [1, 2, 3].map((i) =>
      download(join(t.dir, `dest${i}`), url, {
        cacheDir: t.cache,
        digest,
        progress: "none",
      })
    ),
  );
  assert.deepEqual(results.map((r) => r.status).sort(), [
    "downloaded",
    "used-cache",
    "used-cache",
  ]);
  for (const i of [1, 2, 3]) {
    assert.deepEqual(await Deno.readFile(join(t.dir, `dest${i}`)), body);
  }
  assert.equal(t.server.count("/img", "GET"), 1);
});

Deno.test("concurrent downloads of one URL from two processes share one transfer", async () => {
  await using t = await setup();
  const body = payload(200_000);
  t.server.route("/img", { body, chunkSize: 10_000, chunkDelayMs: 20 });
  const url = t.server.url("/img");
  const script = join(t.dir, "fetch.ts");
  await Deno.writeTextFile(
    script,
    `import { download } from ${
      JSON.stringify(new URL("./download.ts", import.meta.url).href)
    };\n` +
      `const r = await download(Deno.args[0], Deno.args[1], { cacheDir: Deno.args[2], digest: Deno.args[3], progress: "none" });\n` +
      `console.log(r.status);\n`,
  );
  const run = (dest: string) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, dest, url, t.cache, sha256(body)],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const outputs = await Promise.all([
    run(join(t.dir, "p1")),
    run(join(t.dir, "p2")),
  ]);
  const statuses = outputs.map((o) => new TextDecoder().decode(o.stdout).trim())
    .sort();
  assert.deepEqual(
    statuses,
    ["downloaded", "used-cache"],
    outputs.map((o) => new TextDecoder().decode(o.stderr)).join(),
  );
  assert.deepEqual(await Deno.readFile(join(t.dir, "p1")), body);
  assert.deepEqual(await Deno.readFile(join(t.dir, "p2")), body);
  assert.equal(t.server.count("/img", "GET"), 1);
});

/** Compresses DATA with a system tool (the same tools `.ci/run` installs). */
async function compress(tool: string, data: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command(tool, {
    args: ["-c"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(data);
  await writer.close();
  const out = await child.output();
  assert.ok(out.success, `${tool} failed`);
  return out.stdout;
}

/** Text plus a long run of zeros, like a raw disk image. */
function imageLike(): Uint8Array {
  const out = new Uint8Array(3 * 1024 * 1024);
  out.set(payload(100_000), 0);
  out.set(payload(100_000, 5), out.length - 100_000);
  return out;
}

for (
  const [tool, ext] of [["gzip", ".gz"], ["bzip2", ".bz2"], ["xz", ".xz"], [
    "zstd",
    ".zst",
  ]]
) {
  Deno.test(`a ${ext} image is decompressed into the destination and cached compressed`, async () => {
    await using t = await setup();
    const plain = imageLike();
    const packed = await compress(tool, plain);
    t.server.route(`/img${ext}`, { body: packed });
    t.server.route(`/noext-${tool}`, { body: packed });

    const url = t.server.url(`/img${ext}`);
    const dest = join(t.dir, "image");
    const result = await download(dest, url, {
      cacheDir: t.cache,
      decompress: true,
      progress: "none",
    });
    assert.deepEqual(await Deno.readFile(dest), plain);
    assert.deepEqual(await Deno.readFile(result.cachePath!), packed);

    const byMagic = join(t.dir, "by-magic");
    await download(byMagic, t.server.url(`/noext-${tool}`), {
      cacheDir: t.cache,
      decompress: true,
      progress: "none",
    });
    assert.deepEqual(await Deno.readFile(byMagic), plain);

    const kept = join(t.dir, "kept");
    await download(kept, url, {
      cacheDir: t.cache,
      decompress: false,
      progress: "none",
    });
    assert.deepEqual(await Deno.readFile(kept), packed);
  });
}

Deno.test("corrupt compressed data fails with the tool's message and leaves no destination", async () => {
  await using t = await setup();
  const packed = await compress("xz", payload(50_000));
  packed.fill(0x55, 100, 400);
  t.server.route("/img.xz", { body: packed });
  const dest = join(t.dir, "image");
  await assert.rejects(
    download(dest, t.server.url("/img.xz"), {
      cacheDir: t.cache,
      decompress: true,
      progress: "none",
    }),
    (err: unknown) =>
      err instanceof LimaError &&
      /failed to decompress .* with xz/.test(err.message),
  );
  assert.equal(await exists(dest), false);
  assert.deepEqual([...Deno.readDirSync(t.dir)].map((e) => e.name).sort(), [
    "cache",
  ]);
});

Deno.test("local paths and file:// URLs are copied or decompressed without the cache", async () => {
  await using t = await setup();
  const plain = imageLike();
  const src = join(t.dir, "local.img.zst");
  await Deno.writeFile(src, await compress("zstd", plain));

  const viaPath = join(t.dir, "a");
  const r1 = await download(viaPath, src, {
    cacheDir: t.cache,
    decompress: true,
    progress: "none",
  });
  assert.equal(r1.status, "downloaded");
  assert.deepEqual(await Deno.readFile(viaPath), plain);

  const viaUrl = join(t.dir, "b");
  await download(viaUrl, pathToFileURL(src).href, {
    cacheDir: t.cache,
    digest: sha256(await Deno.readFile(src)),
    progress: "none",
  });
  assert.deepEqual(await Deno.readFile(viaUrl), await Deno.readFile(src));
  assert.equal(await exists(t.cache), false);

  await assert.rejects(
    download(join(t.dir, "c"), src, {
      digest: "sha256:" + "2".repeat(64),
      progress: "none",
    }),
    /does not match the expected digest/,
  );
  assert.equal(await exists(join(t.dir, "c")), false);
  await assert.rejects(
    download(join(t.dir, "d"), join(t.dir, "nope"), { progress: "none" }),
    /cannot read/,
  );
});

Deno.test("an empty destination only fills the cache", async () => {
  await using t = await setup();
  const body = payload(1_000);
  t.server.route("/archive.tar.gz", { body });
  const result = await download("", t.server.url("/archive.tar.gz"), {
    cacheDir: t.cache,
    progress: "none",
  });
  assert.equal(result.status, "downloaded");
  assert.deepEqual(await Deno.readFile(result.cachePath!), body);
});

Deno.test("unsupported URL schemes are refused", async () => {
  await assert.rejects(
    download("", "ftp://example.invalid/x.img", { progress: "none" }),
    /unsupported URL scheme/,
  );
});

Deno.test("log-style progress gives JSON lines with numeric fields under --log-format json", async () => {
  await using t = await setup();
  const lines: string[] = [];
  configureLogger({ format: "json", write: (l) => lines.push(l) });
  const body = payload(50_000);
  t.server.route("/img", { body });
  await download(join(t.dir, "image"), t.server.url("/img"), {
    cacheDir: t.cache,
    progress: "log",
    description: "the image",
  });
  const events = lines.map((l) => JSON.parse(l));
  const first = events.find((e) => e.msg === "Downloading");
  const last = events.find((e) => e.msg === "Downloaded");
  assert.equal(first?.description, "the image");
  assert.equal(last?.bytes, body.length);
  assert.equal(last?.total, body.length);
  assert.equal(last?.percent, 100);
  assert.equal(typeof last?.bytesPerSecond, "number");
});
