import assert from "node:assert/strict";
import { join } from "node:path";
import { authorizedKeys, identityFiles } from "./keys.ts";

async function withLimaHome(fn: (dir: string) => Promise<void>): Promise<void> {
  const previous = Deno.env.get("LIMA_HOME");
  const dir = await Deno.makeTempDir();
  Deno.env.set("LIMA_HOME", join(dir, "lima"));
  try {
    await fn(dir);
  } finally {
    if (previous === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", previous);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("Lima's own key comes first and is created on first use", async () => {
  await withLimaHome(async (dir) => {
    const files = await identityFiles();
    assert.deepEqual(files, [join(dir, "lima", "_config", "user")]);
    const keys = await authorizedKeys();
    assert.equal(keys.length, 1);
    assert.match(keys[0], /^ssh-ed25519 \S+ lima$/);
    assert.deepEqual(await identityFiles(), files);
  });
});

Deno.test("~/.ssh pairs are added only with loadDotSSHPubKeys", async () => {
  await withLimaHome(async (dir) => {
    const home = join(dir, "home");
    await Deno.mkdir(join(home, ".ssh"), { recursive: true });
    await Deno.writeTextFile(
      join(home, ".ssh", "id_b.pub"),
      "ssh-ed25519 BBBB b@host\n",
    );
    await Deno.writeTextFile(join(home, ".ssh", "id_b"), "private");
    // A public key without its private half is authorized but cannot be offered.
    await Deno.writeTextFile(
      join(home, ".ssh", "id_a.pub"),
      "ssh-ed25519 AAAA a@host\n",
    );
    assert.equal((await identityFiles({ home })).length, 1);
    assert.deepEqual(
      (await identityFiles({ home, loadDotSSHPubKeys: true })).slice(1),
      [join(home, ".ssh", "id_b")],
    );
    assert.deepEqual(
      (await authorizedKeys({ home, loadDotSSHPubKeys: true })).slice(1),
      [
        "ssh-ed25519 AAAA a@host",
        "ssh-ed25519 BBBB b@host",
      ],
    );
  });
});
