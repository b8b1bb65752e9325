/** The tools against a real sshd on loopback standing in for the guest (it sees the host's files). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { haveSSHD, startTestGuest } from "../../tests/fixtures/sshd.ts";
import { SSHPool } from "../ssh/pool.ts";
import { Guest } from "./guest.ts";
import { callTool } from "./server.ts";

const ignore = !haveSSHD();

/** Calls tool NAME with ARGS in a fresh guest whose files are under a temporary directory. */
async function withGuest(
  fn: (
    call: (name: string, args: Record<string, unknown>) => Promise<unknown>,
    dir: string,
  ) => Promise<void>,
): Promise<void> {
  await using guest = await startTestGuest();
  await using pool = new SSHPool();
  const tools = new Guest(pool, guest.target);
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ dir: guest.limaHome }),
  );
  await fn(async (name, args) => {
    const r = await callTool(tools, name, args);
    return r.isError ? { error: r.content[0].text } : r.structuredContent;
  }, dir);
}

Deno.test({
  name: "glob walks one directory level per pattern element",
  ignore,
}, async () => {
  await withGuest(async (call, dir) => {
    for (const f of ["a/x.ts", "a/y.md", "b/z.ts", "b/c/deep.ts"]) {
      await Deno.mkdir(join(dir, f, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, f), "");
    }
    const r = await call("glob", { pattern: "*/*.ts", path: dir }) as {
      matches: string[];
    };
    assert.deepEqual(r.matches.sort(), [
      join(dir, "a/x.ts"),
      join(dir, "b/z.ts"),
    ]);
    assert.deepEqual(await call("glob", { pattern: "a/y.md", path: dir }), {
      matches: [join(dir, "a/y.md")],
    });
    assert.deepEqual(await call("glob", { pattern: "[", path: dir }), {
      error: "syntax error in pattern",
    });
  });
});

Deno.test(
  { name: "list_directory reports Go's file modes and sizes", ignore },
  async () => {
    await withGuest(async (call, dir) => {
      await Deno.mkdir(join(dir, "sub"), { mode: 0o755 });
      await Deno.chmod(join(dir, "sub"), 0o755);
      await Deno.symlink("sub", join(dir, "link"));
      await Deno.writeTextFile(join(dir, "f"), "12345");
      await Deno.chmod(join(dir, "f"), 0o600);
      const r = await call("list_directory", { path: dir }) as {
        entries: Record<string, unknown>[];
      };
      const byName = Object.fromEntries(r.entries.map((e) => [e.name, e]));
      assert.deepEqual(Object.keys(byName).sort(), ["f", "link", "sub"]);
      assert.deepEqual(
        [byName.f.mode, byName.f.size, byName.f.is_dir],
        [0o600, 5, false],
      );
      // The modification time, in whole seconds as SFTP reports it.
      const mtime = (await Deno.stat(join(dir, "f"))).mtime!;
      assert.equal(
        Date.parse(byName.f.time as string),
        Math.floor(mtime.getTime() / 1000) * 1000,
      );
      assert.deepEqual([byName.sub.mode, byName.sub.is_dir], [
        2 ** 31 + 0o755,
        true,
      ]);
      assert.equal((byName.link.mode as number) & 2 ** 27, 2 ** 27);
      assert.deepEqual(
        await call("list_directory", { path: join(dir, "none") }),
        {
          error: "file does not exist",
        },
      );
    });
  },
);

Deno.test({
  name: "write_file makes parents, and fails where a parent is a file",
  ignore,
}, async () => {
  await withGuest(async (call, dir) => {
    const path = join(dir, "x/y/z.txt");
    assert.deepEqual(await call("write_file", { path, content: "one" }), {});
    assert.deepEqual(await call("write_file", { path, content: "2" }), {});
    assert.equal(await Deno.readTextFile(path), "2");
    assert.deepEqual(
      await call("write_file", { path: join(path, "w"), content: "" }),
      { error: `mkdir ${path}: not a directory` },
    );
    assert.deepEqual(await call("read_file", { path: dir }), {
      error: 'sftp: "Failure" (SSH_FX_FAILURE)',
    });
  });
});

Deno.test({
  name: "run_shell_command runs in the directory given, with the exit code",
  ignore,
}, async () => {
  await withGuest(async (call, dir) => {
    assert.deepEqual(
      await call("run_shell_command", {
        command: ["sh", "-c", "pwd; exit 3"],
        directory: dir,
      }),
      { stdout: `${dir}\n`, stderr: "", error: "exit status 3", exit_code: 3 },
    );
    assert.deepEqual(
      await call("run_shell_command", { command: ["true"], directory: "tmp" }),
      { error: "expected an absolute path, got a relative path: `tmp`" },
    );
  });
});
