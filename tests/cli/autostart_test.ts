/**
 * `limactl autostart enable|disable` and the deprecated `limactl start-at-login` on Linux (Lima's
 * `cmd/limactl/autostart*.go`, `start-at-login*.go`), with `XDG_CONFIG_HOME` (or `HOME`) in a
 * temporary directory and the fake `systemctl` of `tests/fixtures/fake-tools/` first on PATH,
 * recording its calls. `_LIMACTL_SYSTEMD_SYSTEM_DIR` plays a host where systemd runs (an existing
 * directory) or does not. No VM is started.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { systemdUnit } from "../../core/autostart/render.ts";
import {
  assertFatal,
  assertInfo,
  createDummyInstance,
  limactlExpect,
  lines,
  type RunOptions,
  tempLimaHome,
} from "./helpers.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const FAKE_SYSTEMCTL = fileURLToPath(
  new URL("../fixtures/fake-tools/systemctl", import.meta.url),
);
/** What the unit runs from a checkout: this deno, as `deno run -A main.ts` re-runs itself. */
const PROGRAM = [Deno.execPath(), "run", "--allow-all", "--no-prompt", MAIN];
const DEPRECATED =
  'Command "start-at-login" is deprecated, use "limactl autostart" instead';

interface Call {
  tool: string;
  args: string[];
  /** Whether the unit file existed when systemctl ran. */
  unitFile: boolean;
}

async function setUp() {
  const limaHome = await tempLimaHome();
  const bin = join(limaHome, "_bin");
  await Deno.mkdir(bin);
  // A wrapper, not a link: the fake finds its helper module beside itself.
  await Deno.writeTextFile(
    join(bin, "systemctl"),
    `#!/bin/sh\nexec '${FAKE_SYSTEMCTL}' "$@"\n`,
    { mode: 0o755 },
  );
  const systemd = join(limaHome, "_systemd");
  await Deno.mkdir(systemd);
  const config = join(limaHome, "_xdg");
  const log = join(limaHome, "_systemctl.log");
  const env: Record<string, string> = {
    PATH: `${bin}:${Deno.env.get("PATH")}`,
    XDG_CONFIG_HOME: config,
    FAKE_TOOL_LOG: log,
    _LIMACTL_SYSTEMD_SYSTEM_DIR: systemd,
  };
  const options: RunOptions = { limaHome, env };
  /** The systemctl calls since the last time, as `systemctl ARGS` (`!` when the unit file was missing). */
  const calls = async () => {
    const text = await Deno.readTextFile(log).catch(() => "");
    await Deno.writeTextFile(log, "");
    return lines(text).map((line) => {
      const c: Call = JSON.parse(line);
      return `${c.tool} ${c.args.join(" ")}${c.unitFile ? "" : " !"}`;
    });
  };
  const unitDir = join(config, "systemd/user");
  return {
    limaHome,
    env,
    options,
    calls,
    unit: join(unitDir, "lima-vm@vm1.service"),
    wants: join(unitDir, "default.target.wants/lima-vm@vm1.service"),
    expect: (code: number, args: string[], more: Record<string, string> = {}) =>
      limactlExpect(code, args, { limaHome, env: { ...env, ...more } }),
  };
}

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

Deno.test("limactl autostart on Linux with systemd", async (t) => {
  const s = await setUp();
  try {
    await createDummyInstance("vm1", s.options);
    const unitText = systemdUnit({ program: PROGRAM });

    await t.step("enable writes the user unit, then enables it", async () => {
      const r = await s.expect(0, ["autostart", "enable", "vm1"]);
      assert.equal(r.stdout, "");
      assertInfo(r.stderr, "Instance `vm1` registered to start at login");
      // systemctl's own output reaches the terminal.
      assert.match(r.stderr, /Created symlink .*default\.target\.wants/);
      assert.equal(await Deno.readTextFile(s.unit), unitText);
      assert.equal((await Deno.stat(s.unit)).mode! & 0o777, 0o644);
      assert.ok(await exists(s.wants));
      assert.deepEqual(await s.calls(), [
        "systemctl --user enable lima-vm@vm1.service",
      ]);
    });

    await t.step("the unit is one systemd accepts", async () => {
      const verify = await new Deno.Command("systemd-analyze", {
        args: ["verify", "--man=no", s.unit],
        stdout: "piped",
        stderr: "piped",
      }).output().catch(() => undefined);
      if (!verify) return; // systemd-analyze is not installed here.
      const out = new TextDecoder().decode(verify.stderr);
      assert.ok(verify.success, out);
      assert.equal(out, "");
    });

    await t.step("enable again rewrites it and enables it again", async () => {
      await Deno.writeTextFile(s.unit, "stale");
      await s.expect(0, ["autostart", "enable", "vm1"]);
      assert.equal(await Deno.readTextFile(s.unit), unitText);
      assert.deepEqual(await s.calls(), [
        "systemctl --user enable lima-vm@vm1.service",
      ]);
    });

    await t.step("--debug shows the systemctl command line", async () => {
      const r = await s.expect(0, ["--debug", "autostart", "enable", "vm1"]);
      assert.match(
        r.stderr,
        /level=debug msg="running command: \[systemctl --user enable lima-vm@vm1\.service\]"/,
      );
      await s.calls();
    });

    await t.step("disable disables it before removing the file", async () => {
      const r = await s.expect(0, ["autostart", "disable", "vm1"]);
      assertInfo(r.stderr, "Instance `vm1` unregistered from start at login");
      assert.equal(await exists(s.unit), false);
      assert.equal(await exists(s.wants), false);
      assert.deepEqual(await s.calls(), [
        "systemctl --user disable lima-vm@vm1.service",
      ]);
    });

    await t.step(
      "disable without a unit says so and runs nothing",
      async () => {
        const r = await s.expect(0, ["autostart", "disable", "vm1"]);
        assertInfo(
          r.stderr,
          "Instance `vm1` is not registered for automatic startup",
        );
        assert.deepEqual(await s.calls(), []);
      },
    );

    await t.step(
      "the deprecated start-at-login creates, updates and unregisters",
      async () => {
        let r = await s.expect(0, ["start-at-login", "vm1"]);
        assert.equal(lines(r.stderr)[0], DEPRECATED);
        assertInfo(
          r.stderr,
          "The autostart entry for instance `vm1` has been created",
        );
        r = await s.expect(0, ["start-at-login", "--enabled", "vm1"]);
        assertInfo(
          r.stderr,
          "The autostart entry for instance `vm1` has been updated",
        );
        assert.equal(await Deno.readTextFile(s.unit), unitText);
        r = await s.expect(0, ["start-at-login", "--enabled=false", "vm1"]);
        assertInfo(
          r.stderr,
          "The autostart entry for instance `vm1` has been unregistered",
        );
        assert.equal(await exists(s.unit), false);
        r = await s.expect(0, ["start-at-login", "--enabled=false", "vm1"]);
        assertInfo(
          r.stderr,
          "The autostart entry for instance `vm1` is not registered",
        );
        assert.deepEqual(await s.calls(), [
          "systemctl --user enable lima-vm@vm1.service",
          "systemctl --user enable lima-vm@vm1.service",
          "systemctl --user disable lima-vm@vm1.service",
        ]);
      },
    );

    await t.step(
      "start-at-login names the default instance, and only reports a missing one",
      async () => {
        let r = await s.expect(0, ["start-at-login"]);
        assertInfo(r.stderr, "Instance `default` not found");
        r = await s.expect(0, ["start-at-login", "nope"]);
        assertInfo(r.stderr, "Instance `nope` not found");
        assert.deepEqual(await s.calls(), []);
      },
    );

    await t.step("delete removes the instance's unit", async () => {
      await s.expect(0, ["autostart", "enable", "vm1"]);
      await s.calls();
      const r = await s.expect(0, ["delete", "vm1"]);
      // As in Lima: unregistered once the instance is gone, just before "Deleted".
      const infos = lines(r.stderr).filter((l) => l.includes("level=info"));
      assert.match(
        infos.at(-2)!,
        /msg="The autostart entry for instance `vm1` has been unregistered"/,
      );
      assert.match(infos.at(-1)!, /msg="Deleted `vm1` /);
      assert.equal(await exists(s.unit), false);
      assert.deepEqual(await s.calls(), [
        "systemctl --user disable lima-vm@vm1.service",
      ]);
    });
  } finally {
    await Deno.remove(s.limaHome, { recursive: true });
  }
});

/**
 * An instance whose disk is there already, without containerd: `start` has nothing to fetch
 * before it starts the host agent.
 */
const STARTABLE =
  "{images: [location: /etc/profile], containerd: {system: false, user: false}}";

/**
 * Instance vm1 running under a stand-in host agent (a `sleep`, named by both PID files) whose
 * `ha.sock` reports IDENTIFIER as `autoStartedIdentifier`.
 */
async function fakeRunning(limaHome: string, identifier: string) {
  const dir = join(limaHome, "vm1");
  const agent = new Deno.Command("sleep", { args: ["600"] }).spawn();
  for (const file of ["ha.pid", "qemu.pid"]) {
    await Deno.writeTextFile(join(dir, file), `${agent.pid}\n`);
  }
  const server = Deno.serve(
    { path: join(dir, "ha.sock"), onListen: () => {} },
    () =>
      Response.json({ sshLocalPort: 60022, autoStartedIdentifier: identifier }),
  );
  return {
    agent,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      try {
        agent.kill("SIGKILL");
      } catch {
        // Already ended by the stop.
      }
      await agent.status;
    },
  };
}

Deno.test("a registered instance starts and stops through systemctl --user", async (t) => {
  const s = await setUp();
  try {
    await createDummyInstance("vm1", { ...s.options, yaml: STARTABLE });
    await Deno.writeTextFile(join(s.limaHome, "vm1", "disk"), "");
    await s.expect(0, ["autostart", "enable", "vm1"]);
    await s.calls();

    await t.step(
      "start has systemd start the unit and follows the unit's host agent",
      async () => {
        const r = await s.expect(0, ["start", "vm1"]);
        assert.deepEqual(await s.calls(), [
          "systemctl --user start lima-vm@vm1.service",
        ]);
        assertInfo(r.stderr, "SSH Local Port: 60022");
        assertInfo(
          r.stderr,
          "READY. Run `limactl shell vm1` to open the shell.",
        );
        // start spawned no host agent of its own: it would have made the log.
        assert.equal(
          await exists(join(s.limaHome, "vm1", "ha.stderr.log")),
          false,
        );
      },
    );

    await t.step(
      "stop has systemd stop the unit when the unit started the host agent",
      async () => {
        await using running = await fakeRunning(
          s.limaHome,
          "lima-vm@vm1.service",
        );
        const r = await s.expect(0, ["stop", "vm1"]);
        assert.deepEqual(await s.calls(), [
          "systemctl --user stop lima-vm@vm1.service",
        ]);
        assertInfo(r.stderr, "Stopping the instance `vm1` started by systemd");
        assert.doesNotMatch(r.stderr, /Sending SIGINT/);
        assertInfo(r.stderr, "The instance vm1 has shut down");
        assert.equal((await running.agent.status).signal, "SIGTERM");
      },
    );

    await t.step(
      "stop signals a host agent that something else started",
      async () => {
        await using running = await fakeRunning(s.limaHome, "session-2.scope");
        const r = await s.expect(0, ["stop", "vm1"]);
        assert.deepEqual(await s.calls(), []);
        assertInfo(
          r.stderr,
          `Sending SIGINT to hostagent process ${running.agent.pid}`,
        );
        assert.equal((await running.agent.status).signal, "SIGINT");
      },
    );

    await t.step(
      "systemctl --user failing: a warning, then the host agent is signalled",
      async () => {
        await using running = await fakeRunning(
          s.limaHome,
          "lima-vm@vm1.service",
        );
        const r = await s.expect(0, ["stop", "vm1"], {
          FAKE_SYSTEMCTL_FAIL: "1",
        });
        assert.deepEqual(await s.calls(), [
          "systemctl --user stop lima-vm@vm1.service",
        ]);
        assert.match(r.stderr, /Failed to connect to bus: No medium found/);
        assert.match(
          r.stderr,
          /level=warning msg="Failed to request stop via autostart manager, stopping the instance `vm1` directly" error="failed to stop the instance `vm1` via systemctl: systemctl --user stop lima-vm@vm1\.service: exit status 1"/,
        );
        assertInfo(
          r.stderr,
          `Sending SIGINT to hostagent process ${running.agent.pid}`,
        );
      },
    );
  } finally {
    await Deno.remove(s.limaHome, { recursive: true });
  }
});

Deno.test("limactl autostart: Lima's errors and exit codes", async (t) => {
  const s = await setUp();
  try {
    await createDummyInstance("vm1", s.options);

    await t.step("an unknown instance", async () => {
      for (const command of ["enable", "disable"]) {
        const r = await s.expect(1, ["autostart", command, "nope"]);
        assertFatal(r.stderr, 'instance "nope" not found');
      }
      assert.deepEqual(await s.calls(), []);
    });

    await t.step("exactly one instance", async () => {
      for (const command of ["enable", "disable"]) {
        const summary = command === "enable"
          ? "Register an instance to start automatically"
          : "Unregister an instance from automatic startup";
        for (const args of [[], ["vm1", "vm2"]]) {
          const r = await s.expect(1, ["autostart", command, ...args]);
          assertFatal(
            r.stderr,
            `\`limactl autostart ${command}\` accepts 1 arg(s), received ${args.length}.\nSee \`limactl autostart ${command} --help\`.\n\nUsage:  limactl autostart ${command} INSTANCE [flags]\n\n${summary}`,
          );
        }
      }
      const r = await s.expect(1, ["start-at-login", "vm1", "vm2"]);
      assertFatal(
        r.stderr,
        "`limactl start-at-login` accepts at most 1 arg(s), received 2.\nSee `limactl start-at-login --help`.\n\nUsage:  limactl start-at-login INSTANCE [flags]\n\nRegister/Unregister an autostart file for the instance",
      );
      assert.equal(lines(r.stderr)[0], DEPRECATED);
    });

    await t.step("--condition=boot is for macOS", async () => {
      const r = await s.expect(1, [
        "autostart",
        "enable",
        "--condition=boot",
        "--user",
        "alice",
        "vm1",
      ]);
      assertFatal(r.stderr, "--condition=boot is only supported on macOS");
      assert.equal(await exists(s.unit), false);
    });

    await t.step(
      "systemctl --user failing: its message, then Lima's",
      async () => {
        const r = await s.expect(1, ["autostart", "enable", "vm1"], {
          FAKE_SYSTEMCTL_FAIL: "1",
        });
        assert.match(r.stderr, /Failed to connect to bus: No medium found/);
        assertFatal(
          r.stderr,
          "failed to register instance `vm1` to start at login: systemctl --user enable lima-vm@vm1.service: exit status 1",
        );
        // As in Lima, the unit file was written before systemctl ran, and stays.
        assert.ok(await exists(s.unit));
        assert.deepEqual(await s.calls(), [
          "systemctl --user enable lima-vm@vm1.service",
        ]);
        const d = await s.expect(1, ["autostart", "disable", "vm1"], {
          FAKE_SYSTEMCTL_FAIL: "1",
        });
        assertFatal(
          d.stderr,
          "failed to unregister instance `vm1` from start at login: failed to disable the autostart entry for instance `vm1`: systemctl --user disable lima-vm@vm1.service: exit status 1",
        );
        assert.ok(await exists(s.unit));
        await s.expect(0, ["autostart", "disable", "vm1"]);
        assert.equal(await exists(s.unit), false);
        await s.calls();
      },
    );

    await t.step("no systemctl on PATH", async () => {
      const empty = join(s.limaHome, "_empty");
      await Deno.mkdir(empty);
      const r = await s.expect(1, ["autostart", "enable", "vm1"], {
        PATH: empty,
      });
      assertFatal(
        r.stderr,
        'failed to register instance `vm1` to start at login: exec: "systemctl": executable file not found in $PATH',
      );
      await Deno.remove(s.unit);
    });

    await t.step(
      "systemd not running: not supported, nothing written",
      async () => {
        const none = { _LIMACTL_SYSTEMD_SYSTEM_DIR: join(s.limaHome, "_none") };
        const hint =
          ` (hint: autostart on Linux needs systemd as the init system (\`${none._LIMACTL_SYSTEMD_SYSTEM_DIR}\` does not exist))`;
        let r = await s.expect(1, ["autostart", "enable", "vm1"], none);
        assertFatal(
          r.stderr,
          `failed to register instance \`vm1\` to start at login: autostart is not supported on linux${hint}`,
        );
        r = await s.expect(1, ["autostart", "disable", "vm1"], none);
        assertFatal(r.stderr, `autostart is not supported on linux${hint}`);
        r = await s.expect(1, ["start-at-login", "vm1"], none);
        assertFatal(
          r.stderr,
          `failed to check if the autostart entry for instance \`vm1\` is registered: autostart is not supported on linux${hint}`,
        );
        assert.equal(await exists(s.unit), false);
        // delete says nothing about autostart then.
        r = await s.expect(0, ["delete", "vm1"], none);
        assert.doesNotMatch(r.stderr, /autostart/);
        assert.deepEqual(await s.calls(), []);
      },
    );
  } finally {
    await Deno.remove(s.limaHome, { recursive: true });
  }
});

Deno.test("without XDG_CONFIG_HOME the unit goes to ~/.config/systemd/user", async () => {
  const s = await setUp();
  const home = join(s.limaHome, "_home");
  try {
    await createDummyInstance("vm1", s.options);
    // deno keeps its cache under HOME: point it at the usual one.
    const info = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const { denoDir } = JSON.parse(new TextDecoder().decode(info.stdout));
    const env = { HOME: home, XDG_CONFIG_HOME: "", DENO_DIR: denoDir };
    await s.expect(0, ["autostart", "enable", "vm1"], env);
    const unit = join(home, ".config/systemd/user/lima-vm@vm1.service");
    assert.equal(
      await Deno.readTextFile(unit),
      systemdUnit({ program: PROGRAM }),
    );
    assert.ok(
      await exists(
        join(
          home,
          ".config/systemd/user/default.target.wants/lima-vm@vm1.service",
        ),
      ),
    );
    await s.expect(0, ["autostart", "disable", "vm1"], env);
    assert.equal(await exists(unit), false);
    assert.deepEqual(await s.calls(), [
      "systemctl --user enable lima-vm@vm1.service",
      "systemctl --user disable lima-vm@vm1.service",
    ]);
  } finally {
    await Deno.remove(s.limaHome, { recursive: true });
  }
});

Deno.test("autostart's help, groups and completion are Lima's; start-at-login is hidden", async () => {
  const s = await setUp();
  try {
    await createDummyInstance("vm1", s.options);
    const root = await s.expect(0, ["--help"]);
    assert.match(
      root.stdout,
      /\nAdvanced Commands:\n {2}autostart {11}Manage automatic startup of Lima instances\n/,
    );
    assert.doesNotMatch(root.stdout, /start-at-login/);

    const help = await s.expect(0, ["autostart", "--help"]);
    assert.match(
      help.stdout,
      /^Manage automatic startup of Lima instances\n\nUsage:\n {2}limactl autostart \[command\]\n\nAvailable Commands:\n {2}disable {5}Unregister an instance from automatic startup\n {2}enable {6}Register an instance to start automatically\n\nFlags:\n {2}-h, --help {3}help for autostart\n\nGlobal Flags:\n/,
    );
    const enable = await s.expect(0, ["autostart", "enable", "--help"]);
    assert.match(
      enable.stdout,
      /^Register an instance to start automatically\n\nUsage:\n {2}limactl autostart enable INSTANCE \[flags\]\n\nFlags:\n {6}--condition string {3}When to start the instance: "login" \(user session\) or "boot" \(system boot, macOS only\) \(default "login"\)\n {2}-h, --help {15}help for enable\n {6}--user string {8}macOS username to run the instance as when --condition=boot \(default: \$USER\)\n\nGlobal Flags:\n/,
    );
    const disable = await s.expect(0, ["autostart", "disable", "--help"]);
    assert.match(
      disable.stdout,
      /^Unregister an instance from automatic startup\n\nUsage:\n {2}limactl autostart disable INSTANCE \[flags\]\n\nFlags:\n {2}-h, --help {3}help for disable\n\nGlobal Flags:\n/,
    );
    const sal = await s.expect(0, ["start-at-login", "--help"]);
    assert.match(
      sal.stdout,
      /^Register\/Unregister an autostart file for the instance\n\nUsage:\n {2}limactl start-at-login INSTANCE \[flags\]\n\nFlags:\n {6}--enabled {3}Automatically start the instance when the user logs in \(default true\)\n {2}-h, --help {6}help for start-at-login\n\nGlobal Flags:\n/,
    );
    // cobra announces the deprecation even for --help, but not for `help COMMAND`.
    assert.equal(lines(sal.stderr)[0], DEPRECATED);
    const viaHelp = await s.expect(0, ["help", "start-at-login"]);
    assert.equal(viaHelp.stdout, sal.stdout);
    assert.doesNotMatch(viaHelp.stderr, /deprecated/);

    const complete = async (...words: string[]) =>
      (await s.expect(0, ["__completeNoDesc", ...words])).stdout;
    assert.equal(await complete("autostart", ""), "disable\nenable\n:4\n");
    assert.equal(await complete("autostart", "enable", ""), "vm1\n:4\n");
    assert.equal(await complete("autostart", "disable", "v"), "vm1\n:4\n");
    assert.equal(await complete("start-at-login", ""), "vm1\n:4\n");
    assert.doesNotMatch(await complete("st"), /start-at-login/);
  } finally {
    await Deno.remove(s.limaHome, { recursive: true });
  }
});
