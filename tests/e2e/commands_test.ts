/**
 * Lima 2.x commands that act on a running guest, on one instance booted once (on a terminal,
 * where start draws the boot's phases on one live line): `tunnel`, `screenshot` (of its VNC
 * display), `snapshot` (live, over QMP), `mcp serve` (an MCP client of the SDK calling its
 * tools), `guest-install`, `copy` and `shell --sync` with rsync, `watch` following a `stop`,
 * and last a start that names a broken sshd.
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { testTemplate } from "../fixtures/test_template.ts";
import { freeLoopbackPort } from "../fixtures/free_port.ts";
import { GUEST_AGENT_PYTHON } from "../../core/guestagent/agent.ts";
import { readLines } from "../../core/read_lines.ts";
import { startOnTerminal, startStuck } from "./boot_phases.ts";
import { guestImage, MAIN, skipVMTests, sleep, withLima } from "./harness.ts";

/** A guest port that port forwarding leaves alone: only the tunnel reaches it. */
const GUEST_ONLY_PORT = 8765;

Deno.test({
  name:
    "boot phases on a terminal, then tunnel, screenshot, live snapshots, MCP, guest-install, rsync copies, watch and a broken sshd on one guest",
  ignore: skipVMTests,
}, async (t) => {
  const image = await guestImage();
  await withLima(async (lima) => {
    const template = parse(testTemplate(image));
    template.portForwards = [{ guestPort: GUEST_ONLY_PORT, ignore: true }];
    // A display to capture (VNC needs no window on the host).
    template.video = { display: "vnc" };
    const file = `${lima.home}/vm.yaml`;
    await Deno.writeTextFile(file, stringify(template));
    await lima.expect(0, ["create", "--tty=false", file]);
    const booted = await t.step(
      "start on a terminal shows the boot's phases on one live line",
      () => startOnTerminal(lima, "vm"),
    );
    // The steps below would only repeat that the guest is not there.
    if (!booted) return;

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
      "screenshot: the guest's display is saved as a PNG",
      async () => {
        const r = await lima.expect(0, ["screenshot", "vm", "-o", "shot.png"]);
        assert.match(r.stderr, /Screenshot saved to \\"shot\.png\\"/);
        const png = await Deno.readFile(`${lima.home}/shot.png`);
        assert.deepEqual(
          [...png.subarray(1, 4)],
          [...new TextEncoder().encode("PNG")],
        );
        const width = new DataView(png.buffer).getUint32(16);
        assert.ok(width >= 640, `a ${width} pixels wide display`);
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
      "mcp serve: an MCP client lists the tools and runs uname -s in the guest",
      async () => {
        const client = new Client({ name: "e2e", version: "1.0.0" });
        await client.connect(
          new StdioClientTransport({
            command: Deno.execPath(),
            args: ["run", "-A", "--quiet", MAIN, "mcp", "serve", "vm"],
            env: { ...Deno.env.toObject(), LIMA_HOME: lima.home },
            stderr: "ignore",
          }),
        );
        try {
          const { tools } = await client.listTools();
          assert.ok(
            tools.some((tool: { name: string }) =>
              tool.name === "run_shell_command"
            ),
          );
          assert.equal(tools.length, 6);
          const r = await client.callTool({
            name: "run_shell_command",
            arguments: { command: ["uname", "-s"], directory: "/" },
          });
          assert.deepEqual(r.structuredContent, {
            stdout: "Linux\n",
            stderr: "",
            exit_code: 0,
          });
        } finally {
          await client.close();
        }
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

    await t.step(
      "rsync: copy of a file and a directory both ways, auto picking it, and shell --sync",
      async () => {
        const home = lima.home;
        await Deno.mkdir(`${home}/tree/sub`, { recursive: true });
        await Deno.writeTextFile(`${home}/tree/sub/a.txt`, "from host\n");
        await Deno.writeTextFile(`${home}/one.txt`, "one file\n");
        const rsync = (...args: string[]) =>
          lima.expect(0, ["copy", "--backend=rsync", ...args]);
        await rsync(`${home}/one.txt`, "vm:/tmp/one.txt");
        await rsync("-r", `${home}/tree`, "vm:/tmp/");
        assert.equal(
          await lima.sh(
            "vm",
            "cat /tmp/one.txt /tmp/tree/sub/a.txt && echo from guest > /tmp/tree/sub/b.txt",
          ),
          "one file\nfrom host",
        );
        await rsync("vm:/tmp/one.txt", `${home}/back.txt`);
        await rsync("-r", "vm:/tmp/tree", `${home}/down`);
        assert.equal(await Deno.readTextFile(`${home}/back.txt`), "one file\n");
        assert.equal(
          await Deno.readTextFile(`${home}/down/sub/a.txt`),
          "from host\n",
        );
        assert.equal(
          await Deno.readTextFile(`${home}/down/sub/b.txt`),
          "from guest\n",
        );
        const auto = await lima.expect(0, [
          "--debug",
          "copy",
          `${home}/one.txt`,
          "vm:/tmp/auto.txt",
        ]);
        assert.match(auto.stderr, /msg="using copy tool `rsync`"/);
        assert.equal(await lima.sh("vm", "cat /tmp/auto.txt"), "one file");
        // The guest's change to its copy of the directory comes back.
        const sync = await lima.expect(0, [
          "shell",
          "--sync",
          `${home}/tree`,
          "vm",
          "sh",
          "-c",
          "cat sub/a.txt && echo changed > sub/a.txt",
        ]);
        assert.equal(sync.stdout, "from host\n");
        assert.equal(
          await Deno.readTextFile(`${home}/tree/sub/a.txt`),
          "changed\n",
        );
      },
    );

    await t.step(
      "sshd_config gets a line sshd refuses, for the last step",
      async () => {
        await lima.sh(
          "vm",
          "echo NotAnOption yes | sudo tee -a /etc/ssh/sshd_config >/dev/null && sync",
        );
      },
    );

    // It stops the instance.
    await t.step(
      "watch: the events of a stop appear as they happen",
      async () => {
        const watch = lima.command(["watch", "--json", "vm"]).spawn();
        const lines = readLines(watch.stdout);
        try {
          await sleep(1000);
          await lima.expect(0, ["stop", "vm"]);
          const seen: string[] = [];
          for (;;) {
            const next = await lines.next();
            assert.ok(!next.done, `watch ended early after ${seen.join("\n")}`);
            seen.push(next.value);
            const { instance, event } = JSON.parse(next.value);
            assert.equal(instance, "vm");
            if (event.status?.exiting) break;
          }
        } finally {
          watch.kill("SIGINT");
          await watch.status;
          await lines.return(undefined);
        }
      },
    );

    await t.step("a broken sshd_config: start names sshd", async () => {
      // On the cloud-init path ssh.service starts before the serial getty, while systemd still
      // reports on the console; it starts after cloud-init's network stage, which took 55-110 s
      // under emulation on a loaded 2-core host.
      const stderr = await startStuck(lima, "sshd failing", ["vm"], 150_000);
      assert.match(stderr, /The guest's sshd failed to start \(ssh\.service\)/);
    });
  });
});
