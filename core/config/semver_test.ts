import assert from "node:assert/strict";
import { compareVersions, parseSemver } from "./semver.ts";

Deno.test("versions compare by major, minor, patch, then pre-release", () => {
  assert.equal(compareVersions("2.0.0", "2.0.0"), 0);
  assert.equal(compareVersions("1.10.0", "1.9.9"), 1);
  assert.equal(compareVersions("v2.1.0", "2.1.1"), -1);
  assert.equal(compareVersions("2.1.0-beta.1", "2.1.0"), -1);
  assert.equal(compareVersions("2.1.0-beta.10", "2.1.0-beta.2"), 1);
  assert.equal(compareVersions("2.1.0-alpha", "2.1.0-beta"), -1);
  assert.equal(compareVersions("2.1.0+build", "2.1.0"), 0);
});

Deno.test("unparsable versions are reported as such", () => {
  assert.equal(parseSemver("2.0"), undefined);
  assert.equal(parseSemver("banana"), undefined);
  assert.equal(compareVersions("<unknown>", "1.0.0"), undefined);
});
