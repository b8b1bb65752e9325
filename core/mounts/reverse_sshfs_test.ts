import assert from "node:assert/strict";
import { findSFTPServer, sshfsCommand } from "./reverse_sshfs.ts";

Deno.test("a read-only mount is mounted ro, with allow_other", () => {
  assert.equal(
    sshfsCommand({ location: "/home/me", mountPoint: "/home/me" }),
    "sshfs :/home/me /home/me -o slave -o ro -o allow_other",
  );
});

Deno.test("writable mounts, sshfs options and spaces in paths", () => {
  assert.equal(
    sshfsCommand({
      location: "/tmp/my dir",
      mountPoint: "/mnt/it's here",
      writable: true,
      sshfs: { cache: false, followSymlinks: true },
    }),
    `sshfs ':/tmp/my dir' '/mnt/it'"'"'s here' -o slave -o allow_other,cache=no,follow_symlinks`,
  );
});

Deno.test("the retry replaces the extra options with nonempty", () => {
  assert.equal(
    sshfsCommand({ location: "/a", mountPoint: "/b", writable: true }, true),
    "sshfs :/a /b -o slave -o nonempty",
  );
});

Deno.test("sftp-server is found on PATH first", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/sftp-server`, "#!/bin/sh\n", {
      mode: 0o755,
    });
    assert.equal(findSFTPServer(`/nonexistent:${dir}`), `${dir}/sftp-server`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
