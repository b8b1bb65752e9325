import assert from "node:assert/strict";
import { readLeasesFile, writeLeasesFile } from "./leases.ts";

Deno.test("leases.json is a JSON map IP to MAC, missing means none, garbage names the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/leases.json`;
    assert.deepEqual(await readLeasesFile(file), {});
    const leases = { "192.168.104.1": "52:55:55:aa:bb:cc" };
    await writeLeasesFile(file, leases);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(file)), leases);
    assert.deepEqual(await readLeasesFile(file), leases);
    await Deno.writeTextFile(file, "[1]");
    await assert.rejects(() => readLeasesFile(file), /leases\.json.*map/);
    await Deno.writeTextFile(file, '{"x": "y"}');
    await assert.rejects(() => readLeasesFile(file), /leases\.json/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
