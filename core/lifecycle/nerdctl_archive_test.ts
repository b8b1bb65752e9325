/**
 * Choosing and fetching the nerdctl-full archive for an instance with containerd: the arch's
 * entries in order, through the download cache, refused when the digest does not match.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { DEFAULT_CONTAINERD_ARCHIVES } from "../config/fill.ts";
import type { File, LimaYAML } from "../config/schema.ts";
import { startServer } from "../../tests/fixtures/http_server.ts";
import {
  ensureNerdctlArchive,
  nerdctlArchiveCandidates,
} from "./nerdctl_archive.ts";

const ARCHIVE = new TextEncoder().encode("nerdctl-full archive bytes");
const SHA256 = `sha256:${createHash("sha256").update(ARCHIVE).digest("hex")}`;
const WRONG = `sha256:${"0".repeat(64)}`;

function config(
  archives: File[],
  containerd: { system?: boolean; user?: boolean } = { user: true },
): LimaYAML {
  return { arch: "x86_64", containerd: { ...containerd, archives } };
}

Deno.test("the instance's arch picks the archives, in their order", () => {
  const archives = [
    { location: "https://example.test/arm64.tgz", arch: "aarch64" },
    { location: "https://example.test/amd64.tgz", arch: "x86_64" },
    { location: "https://example.test/any.tgz" },
    { location: "https://example.test/amd64-2.tgz", arch: "x86_64" },
  ];
  assert.deepEqual(
    nerdctlArchiveCandidates(config(archives)).map((a) => a.location),
    [
      "https://example.test/amd64.tgz",
      "https://example.test/any.tgz",
      "https://example.test/amd64-2.tgz",
    ],
  );
  assert.deepEqual(
    nerdctlArchiveCandidates(config(archives, { system: true })).length,
    3,
    "rootful containerd needs it as well",
  );
  assert.deepEqual(
    nerdctlArchiveCandidates(config(archives, { system: false, user: false })),
    [],
  );
});

Deno.test("the built-in archives cover both arches and are pinned by sha256", () => {
  for (const arch of ["x86_64", "aarch64"]) {
    const found = nerdctlArchiveCandidates({
      arch,
      containerd: { user: true, archives: [...DEFAULT_CONTAINERD_ARCHIVES] },
    });
    assert.equal(found.length, 1, arch);
    assert.match(
      found[0].location ?? "",
      /^https:\/\/.*nerdctl-full-.*\.tar\.gz$/,
    );
    assert.match(found[0].digest ?? "", /^sha256:[0-9a-f]{64}$/);
  }
});

Deno.test("nothing is fetched when containerd is off; an arch without archives is an error", async () => {
  assert.equal(
    await ensureNerdctlArchive(
      config([{ location: "/nonexistent" }], { user: false, system: false }),
    ),
    undefined,
  );
  await assert.rejects(
    ensureNerdctlArchive(
      config([{ location: "https://example.test/a.tgz", arch: "aarch64" }]),
    ),
    /no nerdctl archive is configured for the arch .x86_64./,
  );
});

Deno.test("a remote archive is fetched into the cache once and checked against its digest", async () => {
  const server = startServer();
  const cacheDir = await Deno.makeTempDir({ prefix: "limactl-nerdctl-" });
  try {
    server.route("/missing.tgz", { status: 404 });
    server.route("/good.tgz", { body: ARCHIVE });
    server.route("/tampered.tgz", { body: ARCHIVE });
    const options = { cacheDir, progress: "none" as const };

    const path = await ensureNerdctlArchive(
      config([
        { location: server.url("/missing.tgz"), digest: SHA256 },
        { location: server.url("/good.tgz"), digest: SHA256 },
      ]),
      options,
    );
    assert.ok(path?.startsWith(cacheDir), path);
    assert.deepEqual(await Deno.readFile(path!), ARCHIVE);
    assert.equal(
      await ensureNerdctlArchive(
        config([{ location: server.url("/good.tgz"), digest: SHA256 }]),
        options,
      ),
      path,
    );
    assert.equal(
      server.count("/good.tgz", "GET"),
      1,
      "the second time from the cache",
    );

    await assert.rejects(
      ensureNerdctlArchive(
        config([{ location: server.url("/tampered.tgz"), digest: WRONG }]),
        options,
      ),
      (err: Error) => {
        assert.match(err.message, /failed to download the nerdctl archive/);
        assert.match(err.message, /tampered\.tgz/);
        assert.match(err.message, /digest/);
        return true;
      },
    );
  } finally {
    await server.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a local archive is used where it is, after its digest is checked", async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-nerdctl-" });
  try {
    const file = join(dir, "nerdctl-full.tgz");
    await Deno.writeFile(file, ARCHIVE);
    assert.equal(
      await ensureNerdctlArchive(config([{ location: file, digest: SHA256 }])),
      file,
    );
    await assert.rejects(
      ensureNerdctlArchive(config([{ location: file, digest: WRONG }])),
      /digest/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
