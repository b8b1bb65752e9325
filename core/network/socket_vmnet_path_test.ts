import assert from "node:assert/strict";
import { findSocketVMNet } from "./socket_vmnet_path.ts";

Deno.test("socket_vmnet is looked for in Lima's order, symlinks resolved", () => {
  const found = (...paths: string[]) => (name: string) =>
    paths.includes(name) ? name : undefined;
  const real = (path: string) => `${path}.real`;
  assert.equal(
    findSocketVMNet(found(), real),
    "/opt/socket_vmnet/bin/socket_vmnet",
  );
  assert.equal(
    findSocketVMNet(
      found(
        "/opt/homebrew/opt/socket_vmnet/bin/socket_vmnet",
        "/usr/local/opt/socket_vmnet/bin/socket_vmnet",
      ),
      real,
    ),
    "/usr/local/opt/socket_vmnet/bin/socket_vmnet.real",
  );
});
