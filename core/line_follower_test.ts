import assert from "node:assert/strict";
import { LineFollower } from "./line_follower.ts";

Deno.test("the follower returns whole new lines and starts over after truncation", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/log`;
  const follower = new LineFollower(path);
  assert.deepEqual(await follower.read(), []);
  await Deno.writeTextFile(path, "one\ntw");
  assert.deepEqual(await follower.read(), ["one"]);
  await Deno.writeTextFile(path, "o\n", { append: true });
  assert.deepEqual(await follower.read(), ["two"]);
  await Deno.writeTextFile(path, "new\n");
  assert.deepEqual(await follower.read(), ["new"]);
  await Deno.remove(dir, { recursive: true });
});
