/**
 * Autostart entries (Lima's `pkg/autostart/`): a file per instance that the OS's service manager
 * runs at login, `limactl start NAME --foreground`. On Linux a systemd user unit in
 * `$XDG_CONFIG_HOME/systemd/user/` (`pkg/autostart/systemd/systemd.go`), enabled, started and
 * stopped with `systemctl --user`; on macOS a LaunchAgent in `~/Library/LaunchAgents/`
 * (`pkg/autostart/launchd/launchd.go`), driven with `launchctl`. Elsewhere, and on a Linux host
 * whose init system is not systemd, every operation fails with "autostart is not supported".
 */
import { dirname, join } from "node:path";
import { errorMessage, LimaError } from "../errors.ts";
import { ifFound } from "../if_found.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { type AutostartHost, systemdSystemDir, systemHost } from "./host.ts";
import {
  type EntryData,
  launchAgentLabel,
  launchAgentPlist,
  systemdUnit,
  systemdUnitName,
} from "./render.ts";

/** The instance an entry is for. */
export interface AutostartInstance {
  name: string;
  /** The instance directory. */
  dir: string;
}

/** Lima's `autostart.ErrNotSupported`: this host has no autostart manager. */
export class AutostartNotSupportedError extends LimaError {}

/** An autostart manager (Lima's `autoStartManager`). */
export interface AutostartManager {
  /** Whether INST has an entry (its file exists). */
  isRegistered(inst: AutostartInstance): Promise<boolean>;
  /** Writes INST's entry (replacing one there) and enables it. */
  register(inst: AutostartInstance): Promise<void>;
  /** Disables INST's entry and removes its file; nothing when there is none. */
  unregister(inst: AutostartInstance): Promise<void>;
  /** Has the service manager start INST's entry (Lima's `RequestStart`). */
  requestStart(inst: AutostartInstance): Promise<void>;
  /**
   * Has the service manager stop INST when its entry is what started the host agent, whose
   * `autoStartedIdentifier` is IDENTIFIER; false (nothing done) otherwise (Lima's `RequestStop`).
   */
  requestStop(inst: AutostartInstance, identifier: string): Promise<boolean>;
}

/** A LimaError saying SUMMARY, with ERR's own text (and hint) as its detail. */
export function wrapError(summary: string, err: unknown): LimaError {
  if (err instanceof LimaError) {
    const d = err.diagnostic;
    return new LimaError({
      summary,
      detail: d.detail ? `${d.summary}: ${d.detail}` : d.summary,
      hint: d.hint,
    }, { cause: err });
  }
  return new LimaError({ summary, detail: errorMessage(err) }, { cause: err });
}

function notSupported(host: AutostartHost): AutostartNotSupportedError {
  return new AutostartNotSupportedError({
    summary: `autostart is not supported on ${host.os}`,
    hint: host.os === "linux"
      ? `autostart on Linux needs systemd as the init system (${
        quote(systemdSystemDir())
      } does not exist)`
      : undefined,
  });
}

/** Lima's `notSupportedManager`. */
function notSupportedManager(host: AutostartHost): AutostartManager {
  return {
    isRegistered: () => Promise.reject(notSupported(host)),
    register: () => Promise.reject(notSupported(host)),
    unregister: () => Promise.reject(notSupported(host)),
    requestStart: () => Promise.reject(notSupported(host)),
    requestStop: () => Promise.reject(notSupported(host)),
  };
}

/**
 * Lima's `TemplateFileBasedManager`: one rendered file per instance, an enabler, and the service
 * manager's start and stop of the entry.
 */
interface FileManagerSpec {
  filePath(name: string): string;
  render(data: EntryData): string;
  enable(enable: boolean, name: string): Promise<void>;
  /** The service manager's name for the entry, as a host agent it started reports it. */
  serviceName(name: string): string;
  /** Which service manager, for messages: `systemd` or `launchd`. */
  managerName: string;
  /** The tool it is driven with: `systemctl` or `launchctl`. */
  tool: string;
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
}

function fileManager(
  host: AutostartHost,
  spec: FileManagerSpec,
): AutostartManager {
  // Lima's `os.Stat`: a link to an entry counts as the entry.
  const isRegistered = async (inst: AutostartInstance) =>
    (await ifFound(Deno.stat(spec.filePath(inst.name)))) !== undefined;
  const checkRegistered = async (inst: AutostartInstance) => {
    try {
      return await isRegistered(inst);
    } catch (err) {
      throw wrapError(
        `failed to check if the autostart entry for instance ${
          quote(inst.name)
        } is registered`,
        err,
      );
    }
  };
  return {
    isRegistered,
    async register(inst) {
      await checkRegistered(inst);
      const content = spec.render({
        program: host.program(),
        instance: inst.name,
        workDir: inst.dir,
      });
      const file = spec.filePath(inst.name);
      const name = quote(inst.name);
      try {
        await Deno.mkdir(dirname(file), { recursive: true });
      } catch (err) {
        throw wrapError(
          `failed to create the directory for the autostart entry for instance ${name}`,
          err,
        );
      }
      try {
        await Deno.writeTextFile(file, content, { mode: 0o644 });
      } catch (err) {
        throw wrapError(
          `failed to write the autostart entry for instance ${name}`,
          err,
        );
      }
      await spec.enable(true, inst.name);
    },
    async unregister(inst) {
      if (!(await checkRegistered(inst))) return;
      const name = quote(inst.name);
      try {
        await spec.enable(false, inst.name);
      } catch (err) {
        throw wrapError(
          `failed to disable the autostart entry for instance ${name}`,
          err,
        );
      }
      try {
        await Deno.remove(spec.filePath(inst.name));
      } catch (err) {
        throw wrapError(
          `failed to remove the autostart entry for instance ${name}`,
          err,
        );
      }
    },
    async requestStart(inst) {
      try {
        await spec.start(inst.name);
      } catch (err) {
        throw wrapError(
          `failed to start the instance ${quote(inst.name)} via ${spec.tool}`,
          err,
        );
      }
    },
    async requestStop(inst, identifier) {
      if (identifier !== spec.serviceName(inst.name)) return false;
      const name = quote(inst.name);
      logger.info(
        `Stopping the instance ${name} started by ${spec.managerName}`,
      );
      try {
        await spec.stop(inst.name);
      } catch (err) {
        throw wrapError(
          `failed to stop the instance ${name} via ${spec.tool}`,
          err,
        );
      }
      return true;
    },
  };
}

/**
 * The systemd unit file of instance NAME (Lima's `systemd.GetUnitPath`):
 * `$XDG_CONFIG_HOME/systemd/user/lima-vm@NAME.service`, `XDG_CONFIG_HOME` defaulting to
 * `$HOME/.config`.
 */
export function systemdUnitPath(host: AutostartHost, name: string): string {
  const configHome = host.env("XDG_CONFIG_HOME") ||
    join(host.env("HOME") ?? "", ".config");
  return `${configHome}/systemd/user/${systemdUnitName(name)}`;
}

/** The LaunchAgent plist of instance NAME (Lima's `launchd.GetPlistPath`). */
export function launchAgentPath(host: AutostartHost, name: string): string {
  return `${host.env("HOME") ?? ""}/Library/LaunchAgents/${
    launchAgentLabel(name)
  }.plist`;
}

/**
 * Runs a service manager's command as Lima does: logged at debug level, output to the terminal
 * (or, QUIET, nowhere).
 */
function runLogged(
  host: AutostartHost,
  argv: string[],
  quiet = false,
): Promise<void> {
  logger.debug(
    `running command${quiet ? " without output" : ""}: [${argv.join(" ")}]`,
  );
  return host.run(argv, { quiet });
}

function systemdManager(host: AutostartHost): AutostartManager {
  const systemctl = (verb: string, name: string) =>
    runLogged(host, ["systemctl", "--user", verb, systemdUnitName(name)]);
  return fileManager(host, {
    filePath: (name) => systemdUnitPath(host, name),
    render: systemdUnit,
    // `systemctl enable` and `disable` reload the manager's configuration themselves (unless
    // given --no-reload), so, as in Lima, no `daemon-reload` is needed.
    enable: (enable, name) => systemctl(enable ? "enable" : "disable", name),
    serviceName: systemdUnitName,
    managerName: "systemd",
    tool: "systemctl",
    start: (name) => systemctl("start", name),
    stop: (name) => systemctl("stop", name),
  });
}

function launchdManager(host: AutostartHost): AutostartManager {
  const domain = `gui/${host.uid()}`;
  const service = (name: string) => `${domain}/${launchAgentLabel(name)}`;
  const enable = (enable: boolean, name: string) =>
    runLogged(host, [
      "launchctl",
      enable ? "enable" : "disable",
      service(name),
    ]);
  return fileManager(host, {
    filePath: (name) => launchAgentPath(host, name),
    render: launchAgentPlist,
    enable,
    serviceName: launchAgentLabel,
    managerName: "launchd",
    tool: "launchctl",
    async start(name) {
      // A job stopped without being unloaded, or a disabled one, makes `bootstrap` fail: as in
      // Lima, unload and enable it first, whatever they say.
      await runLogged(host, ["launchctl", "bootout", service(name)], true)
        .catch(() => {});
      await enable(true, name).catch(() => {});
      await runLogged(host, [
        "launchctl",
        "bootstrap",
        domain,
        launchAgentPath(host, name),
      ]);
    },
    stop: (name) => runLogged(host, ["launchctl", "bootout", service(name)]),
  });
}

/** The autostart manager of HOST (Lima's `autostart.Manager`, per OS). */
export function autostartManager(
  host: AutostartHost = systemHost(),
): AutostartManager {
  if (host.os === "darwin") return launchdManager(host);
  if (host.os === "linux" && host.systemdRunning()) {
    return systemdManager(host);
  }
  return notSupportedManager(host);
}
