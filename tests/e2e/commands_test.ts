/**
 * Lima 2.x commands that act on a running guest, on one instance booted once: `tunnel`,
 * `snapshot` (live, over QMP), and last `stop` with `watch` following it.
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { testTemplate } from "../fixtures/test_template.ts";
import { freeLoopbackPort } from "../fixtures/free_port.ts";
import { GUEST_AGENT_PYTHON } from "../../core/guestagent/agent.ts";
import { guestImage, skipVMTests, start, withLima } from "./harness.ts";

/** A guest port that port forwarding leaves alone: only the tunnel reaches it. */
const GUEST_ONLY_PORT = 8765;

Deno.test({
  name: "tunnel, live snapshots and watch on one running guest",
  ignore: skipVMTests,
}, async (t) => {
  const image = await guestImage();
  await withLima(async (lima) => {
    const template = parse(testTemplate(image));
    template.portForwards = [{ guestPort: GUEST_ONLY_PORT, ignore: true }];
    const file = `${lima.home}/vm.yaml`;
    await Deno.writeTextFile(file, stringify(template));
    await start(lima, ["--tty=false", file]);

    await t.step(
      "tunnel: curl through the SOCKS proxy reaches a guest-only port",
      async () => {
        const token = crypto.randomUUID();
        await lima.sh(
          "vm",
          `mkdir -p /tmp/www && echo ${token} > /tmp/www/token && cd /tmp/www && setsid -f python3 -m http.server --bind 127.0.0.1 ${GUEST_ONLY_PORT} </dev/null >/dev/null 2>&1`,
        );
        const socksPort = freeLoopbackPort();
        try {
          const r = await lima.expect(0, [
            "tunnel",
            "--socks-port",
            String(socksPort),
            "vm",
          ]);
          assert.match(
            r.stdout,
            new RegExp(`socks5h://127\\.0\\.0\\.1:${socksPort}`),
          );
          let body = "";
          for (let i = 0; i < 50 && body.trim() !== token; i++) {
            const curl = await new Deno.Command("curl", {
              args: [
                "-sS",
                "--max-time",
                "10",
                "--socks5-hostname",
                `127.0.0.1:${socksPort}`,
                `http://127.0.0.1:${GUEST_ONLY_PORT}/token`,
              ],
              stdin: "null",
            }).output();
            body = new TextDecoder().decode(curl.stdout);
            if (body.trim() !== token) {
              await new Promise((r) => setTimeout(r, 200));
            }
          }
          assert.equal(body.trim(), token);
        } finally {
          await new Deno.Command("pkill", {
            args: ["-f", "--", `-D 127.0.0.1:${socksPort} `],
          }).output();
        }
      },
    );

    await t.step(
      "snapshot: a live snapshot brings a changed file back",
      async () => {
        await lima.sh("vm", "echo before > ~/snap.txt && sync");
        await lima.expect(0, ["snapshot", "create", "vm", "--tag", "snap1"]);
        await lima.sh("vm", "echo after > ~/snap.txt && sync");
        const list = await lima.expect(0, [
          "snapshot",
          "list",
          "vm",
          "--quiet",
        ]);
        assert.equal(list.stdout, "snap1\n");
        await lima.expect(0, ["snapshot", "apply", "vm", "--tag", "snap1"]);
        assert.equal(await lima.sh("vm", "cat ~/snap.txt"), "before");
        await lima.expect(0, ["snapshot", "delete", "vm", "--tag", "snap1"]);
        const after = await lima.expect(0, [
          "snapshot",
          "list",
          "vm",
          "--quiet",
        ]);
        assert.equal(after.stdout, "");
      },
    );

    await t.step(
      "guest-install: the guest agent is installed again where the boot put it",
      async () => {
        const agent = "/usr/local/bin/lima-guestagent";
        await lima.sh("vm", `sudo truncate -s 0 ${agent}`);
        await lima.expect(0, ["guest-install", "vm"]);
        const digest = await crypto.subtle.digest(
          "SHA-256",
          new TextEncoder().encode(GUEST_AGENT_PYTHON),
        );
        const hex = Array.from(new Uint8Array(digest))
          .map((b) => b.toString(16).padStart(2, "0")).join("");
        assert.equal(
          await lima.sh("vm", `stat -c '%a %U' ${agent}; sha256sum < ${agent}`),
          `755 root\n${hex}  -`,
        );
      },
    );
  });
});
