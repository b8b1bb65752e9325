import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../main.ts", import.meta.url));
const example = fileURLToPath(
  new URL("../tests/fixtures/example-driver/mod.ts", import.meta.url),
);

async function limactl(home: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-worker-options", main, ...args],
    env: { LIMA_HOME: home },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("limactl driver install shows the permissions, list shows where drivers come from", async () => {
  const home = await Deno.makeTempDir();
  try {
    const install = await limactl(home, "driver", "install", example);
    assert.equal(install.code, 0, install.stderr);
    assert.match(
      install.stdout,
      /It runs with these permissions: read: \$LIMA_HOME; write: \$LIMA_HOME; run: sleep/,
    );
    const list = await limactl(home, "driver", "list");
    const rows = list.stdout.trim().split("\n").map((l) => l.split(/\s+/));
    assert.deepEqual(rows[0], ["NAME", "LOCATION"]);
    assert.deepEqual(rows.find((r) => r[0] === "example"), [
      "example",
      example,
    ]);
    assert.deepEqual(rows.find((r) => r[0] === "qemu"), ["qemu", "internal"]);
    const removed = await limactl(home, "driver", "remove", "example");
    assert.equal(removed.code, 0);
    const again = await limactl(home, "driver", "remove", "example");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /driver `example` is not installed/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
