import assert from "node:assert/strict";
import { hostAgentArgs } from "./spawn.ts";

Deno.test("the host agent command line passes the nerdctl archive only when there is one", () => {
  const base = { name: "vm", dir: "/lima/vm" };
  assert.deepEqual(hostAgentArgs(base), [
    "hostagent",
    "--pidfile",
    "/lima/vm/ha.pid",
    "--socket",
    "/lima/vm/ha.sock",
    "vm",
  ]);
  assert.deepEqual(
    hostAgentArgs({
      ...base,
      debug: true,
      progress: true,
      nerdctlArchive: "/cache/nerdctl.tgz",
    }),
    [
      "--debug",
      "hostagent",
      "--pidfile",
      "/lima/vm/ha.pid",
      "--socket",
      "/lima/vm/ha.sock",
      "--nerdctl-archive",
      "/cache/nerdctl.tgz",
      "--progress",
      "vm",
    ],
  );
});
