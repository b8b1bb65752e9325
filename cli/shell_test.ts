import assert from "node:assert/strict";
import { protectShellArgs } from "./shell.ts";

Deno.test("the remote command is shielded from option parsing after the instance name", () => {
  assert.deepEqual(protectShellArgs(["shell", "vm", "grep", "-v", "x"]), [
    "shell",
    "vm",
    "--",
    "grep",
    "-v",
    "x",
  ]);
  assert.deepEqual(
    protectShellArgs([
      "--log-level",
      "debug",
      "shell",
      "--workdir",
      "/tmp",
      "--reconnect",
      "vm",
      "ls",
      "--debug=true",
    ]),
    [
      "--log-level",
      "debug",
      "shell",
      "--workdir",
      "/tmp",
      "--reconnect",
      "vm",
      "--",
      "ls",
      "--debug=true",
    ],
  );
  assert.deepEqual(protectShellArgs(["shell", "--shell=/bin/sh", "vm"]), [
    "shell",
    "--shell=/bin/sh",
    "vm",
    "--",
  ]);
  // A `--` typed after the name stays for the command parser to drop, as Lima does.
  assert.deepEqual(protectShellArgs(["shell", "vm", "--", "-x"]), [
    "shell",
    "vm",
    "--",
    "--",
    "-x",
  ]);
});

Deno.test("with --instance every positional argument is command", () => {
  assert.deepEqual(
    protectShellArgs(["shell", "--instance", "vm", "uname", "-a"]),
    [
      "shell",
      "--instance",
      "vm",
      "--",
      "uname",
      "-a",
    ],
  );
  assert.deepEqual(protectShellArgs(["shell", "--instance=vm", "-v"]), [
    "shell",
    "--instance=vm",
    "-v",
  ]);
});

Deno.test("other command lines and explicit -- are left alone", () => {
  assert.deepEqual(protectShellArgs(["list", "-v"]), ["list", "-v"]);
  assert.deepEqual(protectShellArgs(["shell", "--", "vm", "-v"]), [
    "shell",
    "--",
    "vm",
    "-v",
  ]);
  assert.deepEqual(protectShellArgs(["shell", "--foo"]), ["shell", "--foo"]);
  assert.deepEqual(protectShellArgs([]), []);
});
