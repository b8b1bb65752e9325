import assert from "node:assert/strict";
import { join } from "node:path";
import { ifFound, ifFoundSync } from "./if_found.ts";

Deno.test("ifFound gives the value, or undefined for a missing path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "a"), "text");
    assert.equal(await ifFound(Deno.readTextFile(join(dir, "a"))), "text");
    assert.equal(await ifFound(Deno.readTextFile(join(dir, "b"))), undefined);
    assert.equal(
      ifFoundSync(() => Deno.readTextFileSync(join(dir, "a"))),
      "text",
    );
    assert.equal(
      ifFoundSync(() => Deno.readTextFileSync(join(dir, "b"))),
      undefined,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ifFound passes on errors other than not found", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Reading a directory as a file fails with an error that is not NotFound.
    await assert.rejects(ifFound(Deno.readTextFile(dir)));
    assert.throws(() => ifFoundSync(() => Deno.readTextFileSync(dir)));
    await assert.rejects(ifFound(Promise.reject(new Error("other"))), {
      message: "other",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ifFound counts a path through a file as missing only when asked", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const through = join(dir, "file", "child");
    await Deno.writeTextFile(join(dir, "file"), "");
    await assert.rejects(ifFound(Deno.readTextFile(through)));
    const options = { notADirectory: true };
    assert.equal(await ifFound(Deno.readTextFile(through), options), undefined);
    assert.equal(
      ifFoundSync(() => Deno.readTextFileSync(through), options),
      undefined,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
