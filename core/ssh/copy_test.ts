import assert from "node:assert/strict";
import { join } from "node:path";
// @ts-types="@types/ssh2"
import type { SFTPWrapper } from "ssh2";
import { haveSSHD, startTestGuest } from "../../tests/fixtures/sshd.ts";
import { LimaError } from "../errors.ts";
import { connect } from "./client.ts";
import {
  copyFiles,
  type CopyLocation,
  localFileSystem,
  sftpFileSystem,
} from "./copy.ts";

const ignore = !haveSSHD();

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) {
    crypto.getRandomValues(bytes.subarray(i, i + 65536));
  }
  return bytes;
}

/** A tree with binary content, an empty file, a name with spaces and quotes, and a nested directory. */
async function makeTree(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>([
    ["bin.dat", randomBytes(300_000)],
    ["empty", new Uint8Array()],
    [`name with spaces 'and' "quotes"`, new TextEncoder().encode("spaces\n")],
    ["sub/deeper/leaf.txt", new TextEncoder().encode("leaf\n")],
  ]);
  for (const [rel, data] of files) {
    await Deno.mkdir(join(dir, rel, ".."), { recursive: true });
    await Deno.writeFile(join(dir, rel), data);
  }
  await Deno.chmod(join(dir, "bin.dat"), 0o751);
  return files;
}

async function assertTree(
  dir: string,
  files: Map<string, Uint8Array>,
): Promise<void> {
  for (const [rel, data] of files) {
    assert.deepEqual(await Deno.readFile(join(dir, rel)), data, rel);
  }
  assert.equal((await Deno.stat(join(dir, "bin.dat"))).mode! & 0o777, 0o751);
}

Deno.test({
  name: "copy host to guest and back, recursive and byte-exact",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  using conn = await connect(guest.target);
  const guestFS = sftpFileSystem("test", await conn.sftp());
  const work = await Deno.makeTempDir();
  try {
    const files = await makeTree(join(work, "src"));
    await Deno.mkdir(join(work, "guest"));
    // The test guest shares the host's file system: "guest" paths are checked directly.
    await copyFiles([{ fs: localFileSystem, path: join(work, "src") }], {
      fs: guestFS,
      path: join(work, "guest"),
    }, {
      recursive: true,
    });
    await assertTree(join(work, "guest", "src"), files);
    await copyFiles([{ fs: guestFS, path: join(work, "guest", "src") }], {
      fs: localFileSystem,
      path: join(work, "back"),
    }, {
      recursive: true,
    });
    await assertTree(join(work, "back"), files);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test({
  name: "copy single files to a new name, into a directory, and guest to guest",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  using conn = await connect(guest.target);
  const a = sftpFileSystem("a", await conn.sftp());
  const b = sftpFileSystem("b", await conn.sftp());
  const work = await Deno.makeTempDir();
  try {
    const data = randomBytes(70_000);
    const src = join(work, "file name");
    await Deno.writeFile(src, data);
    const copied: string[] = [];
    await copyFiles([{ fs: localFileSystem, path: src }], {
      fs: a,
      path: join(work, "renamed"),
    }, {
      onFile: (from, to) => copied.push(`${from} -> ${to}`),
    });
    assert.deepEqual(copied, [`${src} -> a:${join(work, "renamed")}`]);
    await Deno.mkdir(join(work, "dir"));
    await copyFiles([{ fs: a, path: join(work, "renamed") }, {
      fs: a,
      path: src,
    }], { fs: b, path: join(work, "dir") });
    assert.deepEqual(await Deno.readFile(join(work, "dir", "renamed")), data);
    assert.deepEqual(await Deno.readFile(join(work, "dir", "file name")), data);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test(
  { name: "guest paths with ~ are relative to the guest home", ignore },
  async () => {
    await using guest = await startTestGuest();
    using conn = await connect(guest.target);
    const fs = sftpFileSystem("test", await conn.sftp());
    const home = new TextDecoder().decode(
      (await conn.run('printf %s "$HOME"')).stdout,
    );
    const name = `lima-copy-test-${crypto.randomUUID()}`;
    const work = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(join(work, "f"), "home\n");
      await copyFiles([{ fs: localFileSystem, path: join(work, "f") }], {
        fs,
        path: `~/${name}`,
      });
      assert.equal(await Deno.readTextFile(join(home, name)), "home\n");
      await copyFiles([{ fs, path: name }], {
        fs: localFileSystem,
        path: join(work, "g"),
      });
      assert.equal(await Deno.readTextFile(join(work, "g")), "home\n");
    } finally {
      await Deno.remove(join(home, name)).catch(() => {});
      await Deno.remove(work, { recursive: true });
    }
  },
);

Deno.test({
  name:
    "copy refuses directories without -r, missing sources and a non-directory target",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  using conn = await connect(guest.target);
  const fs = sftpFileSystem("test", await conn.sftp());
  const work = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(work, "d"));
    await Deno.writeTextFile(join(work, "f"), "x");
    await assert.rejects(
      copyFiles([{ fs: localFileSystem, path: join(work, "d") }], {
        fs,
        path: join(work, "out"),
      }),
      (err) =>
        err instanceof LimaError && /is a directory \(use -r/.test(err.message),
    );
    await assert.rejects(
      copyFiles([{ fs, path: join(work, "missing") }], {
        fs: localFileSystem,
        path: join(work, "out"),
      }),
      (err) =>
        err instanceof LimaError &&
        err.message.includes(`cannot access test:${join(work, "missing")}`),
    );
    await assert.rejects(
      copyFiles([{ fs: localFileSystem, path: join(work, "f") }, {
        fs: localFileSystem,
        path: join(work, "f"),
      }], {
        fs,
        path: join(work, "f"),
      }),
      (err) =>
        err instanceof LimaError && /is not a directory/.test(err.message),
    );
    await assert.rejects(Deno.stat(join(work, "out")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

/**
 * SFTP as over a slow link to a small server: every READ and WRITE reply comes DELAY_MS late,
 * and no READ returns more than MAX_READ bytes.
 */
function slowLink(
  sftp: SFTPWrapper,
  delayMs: number,
  maxRead: number,
): SFTPWrapper {
  const late = <A extends unknown[]>(cb: (...r: A) => void) => (...r: A) =>
    void setTimeout(() => cb(...r), delayMs);
  // Other methods run with the proxy as `this`, so that whatever they read and write through
  // it (ssh2's own streams included) meets the slow link too.
  return new Proxy(sftp, {
    get(target, key, receiver) {
      if (key === "read") {
        return (...a: Parameters<SFTPWrapper["read"]>) =>
          target.read(
            a[0],
            a[1],
            a[2],
            Math.min(a[3], maxRead),
            a[4],
            late(a[5]),
          );
      }
      if (key === "write") {
        return (...a: Parameters<SFTPWrapper["write"]>) =>
          target.write(a[0], a[1], a[2], a[3], a[4], late(a[5]));
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

Deno.test({
  name:
    "copy over a 50 ms link keeps many requests in flight both ways, intact through short reads",
  ignore,
}, async () => {
  await using guest = await startTestGuest();
  using conn = await connect(guest.target);
  const fs = sftpFileSystem("test", slowLink(await conn.sftp(), 50, 40_000));
  const work = await Deno.makeTempDir();
  try {
    // 4 MiB and a bit: about 65 chunks of 64 KiB, 3.3 s at one round trip each.
    const data = randomBytes(4 * 1024 * 1024 + 4321);
    await Deno.writeFile(join(work, "src"), data);
    const timed = async (from: CopyLocation, to: CopyLocation) => {
      const started = performance.now();
      await copyFiles([from], to);
      return performance.now() - started;
    };
    const up = await timed({ fs: localFileSystem, path: join(work, "src") }, {
      fs,
      path: join(work, "up"),
    });
    assert.deepEqual(await Deno.readFile(join(work, "up")), data);
    const down = await timed({ fs, path: join(work, "up") }, {
      fs: localFileSystem,
      path: join(work, "down"),
    });
    assert.deepEqual(await Deno.readFile(join(work, "down")), data);
    assert.ok(up < 1000, `upload took ${Math.round(up)} ms`);
    assert.ok(down < 1000, `download took ${Math.round(down)} ms`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
