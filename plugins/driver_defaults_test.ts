import assert from "node:assert/strict";
import type { LimaYAML } from "../core/config/schema.ts";
import type { DriverInfo, RunningVM } from "./contract.ts";
import { DriverDefaults } from "./driver_defaults.ts";

class Minimal extends DriverDefaults {
  configure = () => Promise.resolve({} as LimaYAML);
  validate = () => Promise.resolve([]);
  createDisk = () => Promise.resolve();
  start = () => Promise.resolve({ exited: new Promise(() => {}) } as RunningVM);
  stop = () => Promise.resolve();
  info = () => Promise.resolve({} as DriverInfo);
}

Deno.test("DriverDefaults supplies the members most drivers leave empty", async () => {
  const driver = new Minimal();
  assert.equal(await driver.create(), undefined);
  assert.equal(await driver.delete(), undefined);
  assert.equal(await driver.inspectStatus(), "");
  assert.equal(await driver.sshAddress(), "127.0.0.1");
  assert.deepEqual(await driver.bootScripts(), {});
});

Deno.test("DriverDefaults adds none of the optional members", () => {
  const driver = new Minimal();
  for (const member of ["snapshots", "runGUI", "display", "guestAgentConn"]) {
    assert.equal(member in driver, false, member);
  }
});
