import assert from "node:assert/strict";
import { LimaError } from "../core/errors.ts";
import type { Driver, DriverManifest } from "./contract.ts";
import {
  assertHostSupported,
  capabilityMismatches,
  guardDriver,
  presentCapabilities,
} from "./guard.ts";

const manifest: DriverManifest = {
  name: "mac-only",
  contractVersion: "1.0",
  hosts: [{ os: "darwin", arch: ["aarch64"] }],
  vmTypes: ["mac-only"],
  capabilities: {
    mountTypes: ["virtiofs"],
    snapshots: true,
    gui: false,
    display: false,
    dynamicSSHAddress: false,
    noCloudInit: false,
    guestAgentTransport: "ssh",
    imageFormats: ["raw"],
  },
};

const unused = () => Promise.reject(new Error("not called"));
const driver = {
  configure: unused,
  validate: () => Promise.resolve([{ summary: "no severity given" }]),
  create: () => Promise.reject(new TypeError("disk quota exceeded")),
  createDisk: unused,
  start: unused,
  stop: () =>
    Promise.reject(
      Object.assign(new Error("x"), {
        diagnostic: { summary: "own words", path: "cpus" },
      }),
    ),
  delete: unused,
  inspectStatus: unused,
  sshAddress: unused,
  bootScripts: unused,
  info: unused,
  guestAgentConn: unused,
} as unknown as Driver;

Deno.test("a driver is refused on hosts its manifest does not list", () => {
  assert.throws(
    () => assertHostSupported(manifest, { os: "linux", arch: "x86_64" }),
    (err: LimaError) => {
      assert.equal(
        err.diagnostic.summary,
        "driver `mac-only` cannot run on this host (linux/x86_64)",
      );
      assert.equal(err.diagnostic.detail, "it supports darwin/aarch64");
      return true;
    },
  );
  assertHostSupported(manifest, { os: "darwin", arch: "aarch64" });
});

Deno.test("whatever a driver throws comes back as a diagnostic naming the driver and the step", async () => {
  const guarded = guardDriver("mac-only", driver);
  const plain = await guarded.create().catch((e) => e);
  assert.ok(plain instanceof LimaError);
  assert.deepEqual(plain.diagnostic, {
    severity: "error",
    summary: "driver `mac-only` failed to create the instance",
    detail: "disk quota exceeded",
  });
  const own = await guarded.stop().catch((e) => e);
  assert.deepEqual(own.diagnostic, {
    severity: "error",
    summary: "own words",
    path: "cpus",
  });
  assert.deepEqual(await guarded.validate(), [{
    severity: "error",
    summary: "no severity given",
  }]);
});

Deno.test("capability honesty names the flag and the member that disagree", () => {
  assert.deepEqual(
    capabilityMismatches(manifest, presentCapabilities(driver)),
    [
      "`capabilities.snapshots` promises `snapshots` but the driver has none",
      "the driver has `guestAgentConn` but `capabilities.guestAgentTransport` does not announce it",
    ],
  );
});
