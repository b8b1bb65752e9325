import assert from "node:assert/strict";
import { tunnelInstructions } from "./tunnel.ts";

Deno.test("tunnel instructions name the proxy as each host OS's settings want it", () => {
  assert.equal(
    tunnelInstructions(20123, "lima-vm", "linux"),
    "Set `ALL_PROXY=socks5h://127.0.0.1:20123`, etc.\n" +
      "The instance can be connected from the host as <http://lima-vm.internal> via a web browser.\n",
  );
  const mac = tunnelInstructions(20123, "lima-vm", "darwin");
  assert.match(mac, /^Open <System Settings> → <Network>/);
  assert.match(mac, /\n- Server: 127\.0\.0\.1\n- Port: 20123\n/);
  const windows = tunnelInstructions(20123, "lima-vm", "windows");
  assert.match(windows, /\n- Address: socks=127\.0\.0\.1\n- Port: 20123\n/);
});
