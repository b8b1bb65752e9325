import assert from "node:assert/strict";
import { LimaError } from "../errors.ts";
import {
  checkSocketPathLength,
  hostnameOf,
  instanceNameProblem,
  isValidInstanceName,
  validateDiskName,
} from "./names.ts";

Deno.test("instance names follow the identifier rule", () => {
  for (
    const ok of [
      "default",
      "foo",
      "a",
      "docker-1",
      "ubuntu-24.04",
      "A_b.c-d",
      "x".repeat(76),
    ]
  ) {
    assert.equal(instanceNameProblem(ok), undefined, ok);
  }
  for (
    const bad of [
      "",
      "-foo",
      "foo-",
      "a..b",
      "_foo",
      ".foo",
      "foo/bar",
      "../x",
      "a b",
      "x".repeat(77),
      "é",
    ]
  ) {
    assert.ok(!isValidInstanceName(bad), bad);
  }
});

Deno.test("instance names must not end in .yaml or .yml", () => {
  assert.equal(
    instanceNameProblem("foo.YAML"),
    "instance name `foo.YAML` must not end with .yml or .yaml suffix",
  );
  assert.ok(!isValidInstanceName("foo.yml"));
  assert.ok(isValidInstanceName("foo.yaml1"));
});

Deno.test("a bad name is reported with Lima's wording", () => {
  assert.match(
    instanceNameProblem("a/b")!,
    /^instance name `a\/b` is not a valid identifier: identifier `a\/b` must match/,
  );
  assert.throws(() => validateDiskName("bad name"), LimaError);
});

Deno.test("socket paths longer than the platform limit are refused", () => {
  assert.doesNotThrow(() => checkSocketPathLength("foo", "/tmp/lima/foo"));
  const long = "/tmp/" + "d".repeat(90);
  assert.throws(
    () => checkSocketPathLength("foo", long),
    /instance name `foo` too long: .* must be less than UNIX_PATH_MAX=\d+ characters, but is \d+/,
  );
});

Deno.test("host names replace dots and underscores", () => {
  assert.equal(hostnameOf("ubuntu-24.04"), "lima-ubuntu-24-04");
  assert.equal(hostnameOf("a_b"), "lima-a-b");
});
