import assert from "node:assert/strict";
import { completeSetExpression } from "./set_expressions.ts";
import { Directive } from "./directive.ts";

const VM_TYPES = ["qemu", "vz"];

Deno.test("--set offers the lima.yaml fields as `.path=`, one level deep", () => {
  const { candidates, directive } = completeSetExpression("", VM_TYPES);
  for (const want of [".vmType=", ".arch=", ".ssh.localPort=", ".cpus="]) {
    assert.ok(candidates.includes(want), want);
  }
  assert.ok(!candidates.some((c) => c.startsWith(".mounts.")), "no list items");
  assert.equal(directive, Directive.noSpace | Directive.noFileComp);
});

Deno.test("--set filters fields by what was typed", () => {
  const { candidates } = completeSetExpression(".ssh.", VM_TYPES);
  assert.ok(candidates.includes(".ssh.forwardAgent="));
  assert.ok(candidates.every((c) => c.startsWith(".ssh.")));
});

Deno.test("--set offers the values of enumerated and boolean fields after the =", () => {
  assert.deepEqual(
    completeSetExpression(".vmType=", VM_TYPES).candidates,
    [".vmType=qemu", ".vmType=vz"],
  );
  assert.deepEqual(completeSetExpression(".vmType=q", VM_TYPES).candidates, [
    ".vmType=qemu",
  ]);
  assert.deepEqual(completeSetExpression(".plain=", VM_TYPES).candidates, [
    ".plain=true",
    ".plain=false",
  ]);
  assert.deepEqual(
    completeSetExpression(".ssh.forwardAgent=t", VM_TYPES).candidates,
    [".ssh.forwardAgent=true"],
  );
  assert.deepEqual(completeSetExpression(".cpus=", VM_TYPES).candidates, []);
});
