/**
 * Twenty `create`, `edit` and `delete` commands racing on the same instance names: the
 * per-instance lock serialises them, so no lima.yaml is ever half-written, no instance is
 * lost, and each loser gets a clear error.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  createDummyInstance,
  limactl,
  type RunResult,
  tempLimaHome,
} from "./helpers.ts";

const DUMMY = "{images: [location: /etc/profile]}\n";

Deno.test("20 concurrent create/edit/delete calls on the same names", async () => {
  const limaHome = await tempLimaHome();
  const run = (args: string[], stdin?: string) =>
    limactl(args, { limaHome, stdin });
  try {
    await createDummyInstance("alpha", { limaHome });
    await createDummyInstance("gamma", { limaHome });

    type Call = {
      kind: "create" | "edit" | "delete";
      name: string;
      value?: number;
      result?: RunResult;
    };
    const calls: Call[] = [
      ...[1, 2, 3, 4, 5, 6].map((value) => ({
        kind: "edit" as const,
        name: "alpha",
        value,
      })),
      ...[0, 1, 2, 3].map(() => ({ kind: "create" as const, name: "alpha" })),
      ...[0, 1, 2, 3, 4].map(() => ({ kind: "create" as const, name: "beta" })),
      ...[7, 8].map((value) => ({
        kind: "edit" as const,
        name: "beta",
        value,
      })),
      ...[0, 1, 2].map(() => ({ kind: "delete" as const, name: "gamma" })),
    ];
    assert.equal(calls.length, 20);
    await Promise.all(calls.map(async (call) => {
      if (call.kind === "create") {
        call.result = await run(["create", "--name", call.name, "-"], DUMMY);
      } else if (call.kind === "edit") {
        call.result = await run([
          "edit",
          "--cpus",
          String(call.value),
          call.name,
        ]);
      } else call.result = await run(["delete", "--force", call.name]);
    }));
    const of = (kind: Call["kind"], name: string) =>
      calls.filter((c) => c.kind === kind && c.name === name).map((c) =>
        c.result!
      );

    // alpha existed all along: every edit went through, every create lost with a clear error.
    for (const r of of("edit", "alpha")) assert.equal(r.code, 0, r.stderr);
    for (const r of of("create", "alpha")) {
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /level=fatal msg="instance `alpha` already exists/,
      );
    }
    // beta: exactly one create won; edits either found it or were told it does not exist yet.
    const betaCreates = of("create", "beta");
    assert.equal(betaCreates.filter((r) => r.code === 0).length, 1);
    for (const r of betaCreates.filter((r) => r.code !== 0)) {
      assert.match(r.stderr, /level=fatal msg="instance `beta` already exists/);
    }
    for (const r of of("edit", "beta")) {
      if (r.code !== 0) {
        assert.match(r.stderr, /level=fatal msg="instance `beta` not found"/);
      }
    }
    // gamma: deleted exactly once; the other deletes found nothing to delete.
    const gammaDeletes = of("delete", "gamma");
    for (const r of gammaDeletes) assert.equal(r.code, 0, r.stderr);
    assert.equal(
      gammaDeletes.filter((r) => r.stderr.includes("Deleted `gamma`")).length,
      1,
    );
    assert.equal(
      gammaDeletes.filter((r) =>
        r.stderr.includes("Ignoring non-existent instance `gamma`")
      ).length,
      2,
    );

    // Final state: alpha and beta whole and valid, gamma gone, nothing half-made left behind.
    const alpha = parse(await Deno.readTextFile(`${limaHome}/alpha/lima.yaml`));
    assert.ok([1, 2, 3, 4, 5, 6].includes(alpha.cpus));
    assert.deepEqual(alpha.images, [{ location: "/etc/profile" }]);
    const beta = parse(await Deno.readTextFile(`${limaHome}/beta/lima.yaml`));
    assert.deepEqual(beta.images, [{ location: "/etc/profile" }]);
    const entries = (await Array.fromAsync(Deno.readDir(limaHome))).map((e) =>
      e.name
    ).sort();
    assert.deepEqual(entries, ["_config", "_locks", "alpha", "beta"]);
    assert.deepEqual(
      await Array.fromAsync(Deno.readDir(`${limaHome}/_locks`)),
      [],
    );
    const list = await run(["list", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    const records = list.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(records.map((r) => [r.name, r.status, r.errors]), [
      ["alpha", "Stopped", undefined],
      ["beta", "Stopped", undefined],
    ]);
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});
