import assert from "node:assert/strict";
import type { Diagnostic } from "../core/errors.ts";
import type { LimaYAML } from "../core/config/schema.ts";
import type { Driver } from "./contract.ts";
import { configureDriver } from "./configure_driver.ts";

function driverWith(problems: Diagnostic[]): Driver {
  return {
    configure: () => Promise.resolve({ cpus: 2 } as LimaYAML),
    validate: () => Promise.resolve(problems),
  } as Driver;
}

Deno.test("configureDriver returns the configured instance despite warnings", async () => {
  const config = await configureDriver(driverWith([
    { severity: "warning", summary: "experimental" },
  ]));
  assert.equal(config.cpus, 2);
});

Deno.test("configureDriver throws every error as one", async () => {
  await assert.rejects(
    configureDriver(driverWith([
      { severity: "error", summary: "bad a", path: "a" },
      { severity: "error", summary: "bad b", path: "b" },
    ])),
    (err: Error) => {
      assert.match(err.message, /failed to validate the instance YAML/);
      assert.match(
        String((err as { diagnostic?: Diagnostic }).diagnostic?.detail),
        /bad a.*; .*bad b/,
      );
      return true;
    },
  );
});
