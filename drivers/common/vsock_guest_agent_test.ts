import assert from "node:assert/strict";
import { join } from "node:path";
import { vsockGuestAgent } from "./vsock_guest_agent.ts";

Deno.test("vsockGuestAgent is ga.sock in the instance directory", async () => {
  assert.deepEqual(await vsockGuestAgent(join("lima", "default")), {
    transport: "vsock",
    socketPath: join("lima", "default", "ga.sock"),
  });
});
