import assert from "node:assert/strict";
import { usernetPaths } from "./paths.ts";

Deno.test("a user-v2 network's files are laid out as Lima's", () => {
  assert.deepEqual(usernetPaths("user-v2", "/L"), {
    dir: "/L/_networks/user-v2",
    qemuSocket: "/L/_networks/user-v2/user-v2_qemu.sock",
    endpointSocket: "/L/_networks/user-v2/user-v2_ep.sock",
    pidFile: "/L/_networks/user-v2/usernet_user-v2.pid",
    leases: "/L/_networks/user-v2/leases.json",
    stdoutLog: "/L/_networks/user-v2/usernet.user-v2.stdout.log",
    stderrLog: "/L/_networks/user-v2/usernet.user-v2.stderr.log",
  });
});

Deno.test("a socket path over UNIX_PATH_MAX is refused with its length", () => {
  const home = `/${"h".repeat(80)}`;
  assert.throws(
    () => usernetPaths("user-v2", home),
    /usernet socket path `.*user-v2_qemu\.sock` too long: must be less than UNIX_PATH_MAX=108 characters, but is 117/,
  );
});
