/**
 * Autostart entries (Lima's `pkg/autostart/`): a file per instance that the OS's service manager
 * runs at login, `limactl start NAME --foreground`. On Linux a systemd user unit in
 * `$XDG_CONFIG_HOME/systemd/user/` (`pkg/autostart/systemd/systemd.go`), enabled with
 * `systemctl --user`; on macOS a LaunchAgent in `~/Library/LaunchAgents/`
 * (`pkg/autostart/launchd/launchd.go`), enabled with `launchctl`. Elsewhere, and on a Linux host
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

/** An autostart manager (Lima's `autoStartManager`, the registration part). */
export interface AutostartManager {
  /** Whether INST has an entry (its file exists). */
  isRegistered(inst: AutostartInstance): Promise<boolean>;
  /** Writes INST's entry (replacing one there) and enables it. */
  register(inst: AutostartInstance): Promise<void>;
  /** Disables INST's entry and removes its file; nothing when there is none. */
  unregister(inst: AutostartInstance): Promise<void>;
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
  };
}

/** Lima's `TemplateFileBasedManager`: one rendered file per instance, and an enabler. */
interface FileManagerSpec {
  filePath(name: string): string;
  render(data: EntryData): string;
  enable(enable: boolean, name: string): Promise<void>;
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

/** Runs a service manager's command as Lima does: logged at debug level, output to the terminal. */
function runLogged(
  host: AutostartHost,
  argv: string[],
): Promise<void> {
  logger.debug(`running command: [${argv.join(" ")}]`);
  return host.run(argv);
}

function systemdManager(host: AutostartHost): AutostartManager {
  return fileManager(host, {
    filePath: (name) => systemdUnitPath(host, name),
    render: systemdUnit,
    // `systemctl enable` and `disable` reload the manager's configuration themselves (unless
    // given --no-reload), so, as in Lima, no `daemon-reload` is needed.
    enable: (enable, name) =>
      runLogged(host, [
        "systemctl",
        "--user",
        enable ? "enable" : "disable",
        systemdUnitName(name),
      ]),
  });
}

function launchdManager(host: AutostartHost): AutostartManager {
  return fileManager(host, {
    filePath: (name) => launchAgentPath(host, name),
    render: launchAgentPlist,
    enable: (enable, name) =>
      runLogged(host, [
        "launchctl",
        enable ? "enable" : "disable",
        `gui/${host.uid()}/${launchAgentLabel(name)}`,
      ]),
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
