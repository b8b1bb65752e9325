/**
 * `autostart enable|disable`, `start-at-login`, delete's clean-up, and starting and stopping
 * through the service manager (`request.ts`) on a pretend host: macOS (LaunchAgents, and
 * LaunchDaemons through sudo), Linux with and without systemd, Windows and NetBSD. The entries are real files in a temporary HOME; the commands the host would run are
 * recorded (and `sudo install`/`rm` done on a temporary LaunchDaemons directory).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import "../../tests/use_builtin_drivers.ts";
import { createDummyInstance, tempLimaHome } from "../../tests/cli/helpers.ts";
import { LimaError } from "../errors.ts";
import { configureLogger } from "../log.ts";
import {
  autostartDisable,
  autostartEnable,
  startAtLogin,
  unregisterDeleted,
} from "./commands.ts";
import { type AutostartHost, CommandError } from "./host.ts";
import { requestStart, requestStop } from "./request.ts";
import { launchAgentPlist, launchDaemonPlist, systemdUnit } from "./render.ts";

const PROGRAM = ["/opt/lima/bin/limactl"];

interface Fake {
  host: AutostartHost;
  /** Each command run, as one string. */
  calls: string[];
  /** The LaunchDaemon plists `sudo install` copied, by destination. */
  installed: Map<string, string>;
}

function fakeHost(
  os: typeof Deno.build.os,
  dirs: { home: string; daemons: string },
  o: {
    env?: Record<string, string>;
    systemd?: boolean;
    /** The commands (as strings) that fail with exit status 1. */
    failing?: string[];
  } = {},
): Fake {
  const calls: string[] = [];
  const installed = new Map<string, string>();
  const env: Record<string, string> = { HOME: dirs.home, ...o.env };
  const host: AutostartHost = {
    os,
    env: (name) => env[name],
    uid: () => 501,
    systemdRunning: () => o.systemd ?? false,
    program: () => PROGRAM,
    launchDaemonsDir: dirs.daemons,
    run: async (argv, options) => {
      const line = argv.join(" ");
      calls.push(options?.quiet ? `${line} (quiet)` : line);
      if (o.failing?.includes(line)) {
        throw new CommandError(`${line}: exit status 1`);
      }
      if (argv[0] === "sudo" && argv[1] === "install") {
        const [src, dest] = argv.slice(-2);
        installed.set(dest, await Deno.readTextFile(src));
        await Deno.copyFile(src, dest);
      }
      if (argv[0] === "sudo" && argv[1] === "rm") {
        await Deno.remove(argv.at(-1)!).catch(() => {});
      }
    },
  };
  return { host, calls, installed };
}

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/** Runs FN with a LIMA_HOME holding the instance vm1, a HOME and a LaunchDaemons directory. */
async function withInstance(
  fn: (
    t: { home: string; daemons: string; instDir: string; logged: string[] },
  ) => Promise<void>,
): Promise<void> {
  const limaHome = await tempLimaHome();
  const home = await Deno.makeTempDir({ prefix: "autostart-home-" });
  const daemons = await Deno.makeTempDir({ prefix: "autostart-daemons-" });
  const saved = Deno.env.get("LIMA_HOME");
  const logged: string[] = [];
  try {
    await createDummyInstance("vm1", { limaHome });
    Deno.env.set("LIMA_HOME", limaHome);
    configureLogger({
      format: "json",
      level: "info",
      write: (line) => {
        const { level, msg, error } = JSON.parse(line);
        logged.push(`${level}: ${msg}${error ? ` (${error})` : ""}`);
      },
    });
    await fn({ home, daemons, instDir: join(limaHome, "vm1"), logged });
  } finally {
    configureLogger({
      format: "text",
      write: (line) =>
        Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
    });
    if (saved === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", saved);
    for (const dir of [limaHome, home, daemons]) {
      await Deno.remove(dir, { recursive: true });
    }
  }
}

/** The message of the LimaError PROMISE rejects with. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof LimaError, String(err));
    return err.message;
  }
  assert.fail("expected an error");
}

Deno.test("macOS: enable and disable a LaunchAgent", async () => {
  await withInstance(async ({ home, daemons, instDir, logged }) => {
    const { host, calls } = fakeHost("darwin", { home, daemons });
    const plist = join(
      home,
      "Library/LaunchAgents/io.lima-vm.autostart.vm1.plist",
    );
    await autostartEnable("vm1", { host });
    assert.equal(
      await Deno.readTextFile(plist),
      launchAgentPlist({ program: PROGRAM, instance: "vm1", workDir: instDir }),
    );
    assert.equal((await Deno.stat(plist)).mode! & 0o777, 0o644);
    assert.deepEqual(calls, [
      "launchctl enable gui/501/io.lima-vm.autostart.vm1",
    ]);
    assert.deepEqual(logged, [
      "info: Instance `vm1` registered to start at login",
    ]);

    calls.length = logged.length = 0;
    await autostartDisable("vm1", { host });
    assert.equal(await exists(plist), false);
    assert.deepEqual(calls, [
      "launchctl disable gui/501/io.lima-vm.autostart.vm1",
    ]);
    assert.deepEqual(logged, [
      "info: Instance `vm1` unregistered from start at login",
    ]);

    calls.length = logged.length = 0;
    await autostartDisable("vm1", { host });
    assert.deepEqual(calls, []);
    assert.deepEqual(logged, [
      "info: Instance `vm1` is not registered for automatic startup",
    ]);
  });
});

Deno.test("macOS: --condition=boot installs a LaunchDaemon through sudo, and disable removes it", async () => {
  await withInstance(async ({ home, daemons, instDir, logged }) => {
    const { host, calls, installed } = fakeHost("darwin", { home, daemons }, {
      env: { USER: "alice" },
      // A daemon not loaded yet: bootout fails, and that is ignored.
      failing: ["sudo launchctl bootout system/io.lima-vm.daemon.vm1"],
    });
    const dest = join(daemons, "io.lima-vm.daemon.vm1.plist");
    await autostartEnable("vm1", { condition: "boot", host });
    const tmp = calls[1].split(" ")[4];
    assert.match(tmp, /io\.lima-vm\.daemon\..*\.plist$/);
    assert.deepEqual(calls, [
      "sudo launchctl bootout system/io.lima-vm.daemon.vm1",
      `sudo install -m 644 ${tmp} ${dest}`,
      "sudo launchctl enable system/io.lima-vm.daemon.vm1",
      `sudo launchctl bootstrap system ${dest}`,
    ]);
    assert.equal(
      installed.get(dest),
      launchDaemonPlist(
        { program: PROGRAM, instance: "vm1", workDir: instDir },
        "alice",
      ),
    );
    assert.equal(await exists(tmp), false, "the temporary plist is removed");
    assert.deepEqual(logged, [
      "info: running: sudo [launchctl bootout system/io.lima-vm.daemon.vm1]",
      `info: running: sudo [install -m 644 ${tmp} ${dest}]`,
      "info: running: sudo [launchctl enable system/io.lima-vm.daemon.vm1]",
      `info: running: sudo [launchctl bootstrap system ${dest}]`,
      'info: LaunchDaemon installed for instance "vm1" (runs as "alice" at boot)',
      `info: Plist: ${dest}`,
    ]);

    // --user wins over $USER.
    await autostartEnable("vm1", { condition: "boot", user: "bob", host });
    assert.match(installed.get(dest)!, /<key>UserName<\/key>\n\t<string>bob</);

    calls.length = logged.length = 0;
    await autostartDisable("vm1", { host });
    assert.deepEqual(calls, [
      "sudo launchctl bootout system/io.lima-vm.daemon.vm1",
      "sudo launchctl disable system/io.lima-vm.daemon.vm1",
      `sudo rm -f ${dest}`,
    ]);
    assert.equal(await exists(dest), false);
    assert.equal(
      logged.at(-1),
      'info: LaunchDaemon uninstalled for instance "vm1"',
    );
  });
});

Deno.test("macOS: Lima's errors for conditions, users and failing steps", async () => {
  await withInstance(async ({ home, daemons }) => {
    const { host } = fakeHost("darwin", { home, daemons });
    assert.equal(
      await failure(autostartEnable("vm1", { condition: "later", host })),
      'unknown condition "later": must be "login" or "boot"',
    );
    assert.equal(
      await failure(autostartEnable("vm1", { condition: "boot", host })),
      "could not determine user; pass --user",
    );
    // The instance is looked up first on macOS.
    assert.equal(
      await failure(autostartEnable("nope", { condition: "later", host })),
      'instance "nope" not found',
    );
    const dest = join(daemons, "io.lima-vm.daemon.vm1.plist");
    const failing = fakeHost("darwin", { home, daemons }, {
      env: { USER: "alice" },
      failing: [
        "sudo launchctl enable system/io.lima-vm.daemon.vm1",
        "launchctl enable gui/501/io.lima-vm.autostart.vm1",
      ],
    });
    assert.equal(
      await failure(
        autostartEnable("vm1", { condition: "boot", host: failing.host }),
      ),
      "failed to enable LaunchDaemon: sudo launchctl enable system/io.lima-vm.daemon.vm1: exit status 1",
    );
    assert.ok(await exists(dest), "installed before enabling, as in Lima");
    assert.equal(
      await failure(autostartEnable("vm1", { host: failing.host })),
      "failed to register instance `vm1` to start at login: launchctl enable gui/501/io.lima-vm.autostart.vm1: exit status 1",
    );
  });
});

Deno.test("Linux with systemd: a user unit, enabled and disabled with systemctl --user", async () => {
  await withInstance(async ({ home, daemons, logged }) => {
    const config = join(home, "xdg");
    const { host, calls } = fakeHost("linux", { home, daemons }, {
      systemd: true,
      env: { XDG_CONFIG_HOME: config },
    });
    const unit = join(config, "systemd/user/lima-vm@vm1.service");
    await startAtLogin("vm1", { host });
    await startAtLogin("vm1", { host });
    assert.equal(
      await Deno.readTextFile(unit),
      systemdUnit({ program: PROGRAM }),
    );
    await startAtLogin("vm1", { enabled: false, host });
    await startAtLogin("vm1", { enabled: false, host });
    assert.equal(await exists(unit), false);
    assert.deepEqual(calls, [
      "systemctl --user enable lima-vm@vm1.service",
      "systemctl --user enable lima-vm@vm1.service",
      "systemctl --user disable lima-vm@vm1.service",
    ]);
    assert.deepEqual(logged, [
      "info: The autostart entry for instance `vm1` has been created",
      "info: The autostart entry for instance `vm1` has been updated",
      "info: The autostart entry for instance `vm1` has been unregistered",
      "info: The autostart entry for instance `vm1` is not registered",
    ]);

    // Without XDG_CONFIG_HOME the unit goes to ~/.config/systemd/user.
    const plain = fakeHost("linux", { home, daemons }, { systemd: true });
    await autostartEnable("vm1", {
      condition: "anything-but-boot",
      host: plain.host,
    });
    assert.ok(
      await exists(join(home, ".config/systemd/user/lima-vm@vm1.service")),
    );
    // delete's clean-up disables and removes it.
    plain.calls.length = logged.length = 0;
    await unregisterDeleted({ name: "vm1", dir: "/gone" }, {
      host: plain.host,
    });
    assert.equal(
      await exists(join(home, ".config/systemd/user/lima-vm@vm1.service")),
      false,
    );
    assert.deepEqual(plain.calls, [
      "systemctl --user disable lima-vm@vm1.service",
    ]);
    assert.deepEqual(logged, [
      "info: The autostart entry for instance `vm1` has been unregistered",
    ]);
  });
});

Deno.test("Linux with systemd: systemctl failing leaves Lima's state and errors", async () => {
  await withInstance(async ({ home, daemons, logged }) => {
    const failing = [
      "systemctl --user enable lima-vm@vm1.service",
      "systemctl --user disable lima-vm@vm1.service",
    ];
    const { host } = fakeHost("linux", { home, daemons }, {
      systemd: true,
      failing,
    });
    const unit = join(home, ".config/systemd/user/lima-vm@vm1.service");
    assert.equal(
      await failure(autostartEnable("vm1", { host })),
      `failed to register instance \`vm1\` to start at login: ${
        failing[0]
      }: exit status 1`,
    );
    // As in Lima, the unit file stays (written before systemctl ran).
    assert.ok(await exists(unit));
    assert.equal(
      await failure(autostartDisable("vm1", { host })),
      `failed to unregister instance \`vm1\` from start at login: failed to disable the autostart entry for instance \`vm1\`: ${
        failing[1]
      }: exit status 1`,
    );
    assert.ok(await exists(unit), "not removed while systemctl fails");
    assert.equal(
      await failure(startAtLogin("vm1", { enabled: false, host })),
      `failed to unregister the autostart entry for instance \`vm1\`: failed to disable the autostart entry for instance \`vm1\`: ${
        failing[1]
      }: exit status 1`,
    );
    logged.length = 0;
    await unregisterDeleted({ name: "vm1", dir: "/gone" }, { host });
    assert.deepEqual(logged, [
      `warning: Failed to unregister the autostart entry for instance \`vm1\` (failed to disable the autostart entry for instance \`vm1\`: ${
        failing[1]
      }: exit status 1)`,
    ]);
  });
});

Deno.test("hosts without autostart: Linux without systemd, Windows, NetBSD", async () => {
  await withInstance(async ({ home, daemons, logged }) => {
    const linux = fakeHost("linux", { home, daemons }).host;
    const hint =
      " (hint: autostart on Linux needs systemd as the init system (`/run/systemd/system` does not exist))";
    assert.equal(
      await failure(autostartEnable("vm1", { host: linux })),
      `failed to register instance \`vm1\` to start at login: autostart is not supported on linux${hint}`,
    );
    assert.equal(
      await failure(autostartDisable("vm1", { host: linux })),
      `autostart is not supported on linux${hint}`,
    );
    assert.equal(
      await failure(startAtLogin("vm1", { host: linux })),
      `failed to check if the autostart entry for instance \`vm1\` is registered: autostart is not supported on linux${hint}`,
    );
    assert.equal(
      await failure(autostartEnable("vm1", { condition: "boot", host: linux })),
      "--condition=boot is only supported on macOS",
    );
    assert.equal(
      await failure(autostartEnable("nope", { host: linux })),
      'instance "nope" not found',
    );
    // Checked before the instance, as in Lima.
    assert.equal(
      await failure(
        autostartEnable("nope", { condition: "boot", host: linux }),
      ),
      "--condition=boot is only supported on macOS",
    );

    const windows = fakeHost("windows", { home, daemons }).host;
    assert.equal(
      await failure(startAtLogin("vm1", { host: windows })),
      "start-at-login command is only supported on macOS and Linux right now",
    );
    assert.equal(
      await failure(autostartEnable("vm1", { host: windows })),
      "failed to register instance `vm1` to start at login: autostart is not supported on windows",
    );
    const netbsd = fakeHost("netbsd", { home, daemons }).host;
    assert.equal(
      await failure(startAtLogin("vm1", { host: netbsd })),
      "failed to check if the autostart entry for instance `vm1` is registered: autostart is not supported on netbsd",
    );

    // start-at-login only reports an instance that does not exist; delete's clean-up is silent.
    logged.length = 0;
    await startAtLogin("nope", { host: linux });
    await startAtLogin(undefined, { host: linux });
    await unregisterDeleted({ name: "vm1", dir: "/gone" }, { host: linux });
    assert.deepEqual(logged, [
      "info: Instance `nope` not found",
      "info: Instance `default` not found",
    ]);
  });
});

Deno.test("macOS: start and stop through launchctl, as Lima's RequestStart and RequestStop", async () => {
  await withInstance(async ({ home, daemons, instDir, logged }) => {
    const { host, calls } = fakeHost("darwin", { home, daemons }, {
      // Not loaded: that bootout fails, and is ignored.
      failing: ["launchctl bootout gui/501/io.lima-vm.autostart.vm1"],
    });
    const inst = { name: "vm1", dir: instDir };
    assert.equal(await requestStart(inst, { host }), false);
    assert.deepEqual(calls, [], "not registered: started directly");

    await autostartEnable("vm1", { host });
    calls.length = logged.length = 0;
    assert.equal(await requestStart(inst, { host }), true);
    assert.deepEqual(calls, [
      "launchctl bootout gui/501/io.lima-vm.autostart.vm1 (quiet)",
      "launchctl enable gui/501/io.lima-vm.autostart.vm1",
      `launchctl bootstrap gui/501 ${home}/Library/LaunchAgents/io.lima-vm.autostart.vm1.plist`,
    ]);
    assert.deepEqual(logged, []);

    // Loaded now: bootout stops it.
    const loaded = fakeHost("darwin", { home, daemons });
    const stop = (identifier: string) =>
      requestStop(inst, identifier, { host: loaded.host });
    assert.equal(await stop(""), false);
    assert.equal(await stop("com.example.other"), false);
    assert.deepEqual(loaded.calls, []);
    assert.equal(await stop("io.lima-vm.autostart.vm1"), true);
    assert.deepEqual(loaded.calls, [
      "launchctl bootout gui/501/io.lima-vm.autostart.vm1",
    ]);
    assert.deepEqual(logged, [
      "info: Stopping the instance `vm1` started by launchd",
    ]);
  });
});

Deno.test("Linux: a start through systemctl that fails, or --foreground, starts directly", async () => {
  await withInstance(async ({ home, daemons, instDir, logged }) => {
    const env = { XDG_CONFIG_HOME: join(home, ".config") };
    const inst = { name: "vm1", dir: instDir };
    const ok = fakeHost("linux", { home, daemons }, { env, systemd: true });
    await autostartEnable("vm1", { host: ok.host });
    ok.calls.length = logged.length = 0;
    assert.equal(await requestStart(inst, { host: ok.host }), true);
    assert.deepEqual(ok.calls, ["systemctl --user start lima-vm@vm1.service"]);

    const failing = fakeHost("linux", { home, daemons }, {
      env,
      systemd: true,
      failing: ["systemctl --user start lima-vm@vm1.service"],
    });
    assert.equal(await requestStart(inst, { host: failing.host }), false);
    assert.deepEqual(logged, [
      "warning: Failed to request start via autostart manager, starting the instance `vm1` directly (failed to start the instance `vm1` via systemctl: systemctl --user start lima-vm@vm1.service: exit status 1)",
    ]);

    ok.calls.length = logged.length = 0;
    assert.equal(
      await requestStart(inst, { foreground: true, host: ok.host }),
      false,
    );
    assert.deepEqual(ok.calls, []);
    assert.deepEqual(logged, [
      "warning: The instance is registered to start at login, but the --foreground option was given, so starting the instance directly",
    ]);

    // Without systemd nothing is asked of it, the unit file notwithstanding.
    logged.length = 0;
    const none = fakeHost("linux", { home, daemons }, { env });
    assert.equal(await requestStart(inst, { host: none.host }), false);
    assert.equal(
      await requestStop(inst, "lima-vm@vm1.service", { host: none.host }),
      false,
    );
    assert.deepEqual(none.calls, []);
    assert.deepEqual(logged, []);
  });
});
