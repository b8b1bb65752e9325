/**
 * `limactl autostart enable --condition=boot` on macOS (Lima's `daemonInstall` and
 * `daemonUninstall`, `cmd/limactl/autostart_darwin.go`): a system LaunchDaemon
 * `/Library/LaunchDaemons/io.lima-vm.daemon.NAME.plist` that starts the instance at boot as a
 * given user, installed and loaded through `sudo`.
 */
import { join } from "node:path";
import { logger } from "../log.ts";
import type { AutostartHost } from "./host.ts";
import type { AutostartInstance } from "./manager.ts";
import { wrapError } from "./manager.ts";
import { launchDaemonLabel, launchDaemonPlist } from "./render.ts";

/** The LaunchDaemon plist of instance NAME (Lima's `launchd.GetDaemonPlistPath`). */
export function launchDaemonPath(host: AutostartHost, name: string): string {
  return join(host.launchDaemonsDir, `${launchDaemonLabel(name)}.plist`);
}

/** Runs `sudo ARGS…` on the terminal (a password prompt may come), as Lima's `runSudo`. */
function runSudo(host: AutostartHost, args: string[]): Promise<void> {
  logger.info(`running: sudo [${args.join(" ")}]`);
  return host.run(["sudo", ...args], { stdin: true });
}

/** Installs and loads the LaunchDaemon of INST, running as USERNAME. */
export async function installLaunchDaemon(
  host: AutostartHost,
  inst: AutostartInstance,
  userName: string,
): Promise<void> {
  const content = launchDaemonPlist({
    program: host.program(),
    instance: inst.name,
    workDir: inst.dir,
  }, userName);
  let tmp: string;
  try {
    tmp = await Deno.makeTempFile({
      prefix: "io.lima-vm.daemon.",
      suffix: ".plist",
    });
  } catch (err) {
    throw wrapError("failed to create temp file", err);
  }
  try {
    try {
      await Deno.writeTextFile(tmp, content);
    } catch (err) {
      throw wrapError("failed to write temp plist", err);
    }
    const dest = launchDaemonPath(host, inst.name);
    const target = `system/${launchDaemonLabel(inst.name)}`;
    await runSudo(host, ["launchctl", "bootout", target]).catch(() => {});
    const step = async (args: string[], summary: string) => {
      try {
        await runSudo(host, args);
      } catch (err) {
        throw wrapError(summary, err);
      }
    };
    await step(
      ["install", "-m", "644", tmp, dest],
      `failed to install plist to ${dest}`,
    );
    await step(
      ["launchctl", "enable", target],
      "failed to enable LaunchDaemon",
    );
    await step(
      ["launchctl", "bootstrap", "system", dest],
      "failed to bootstrap LaunchDaemon",
    );
    logger.info(
      `LaunchDaemon installed for instance ${
        JSON.stringify(inst.name)
      } (runs as ${JSON.stringify(userName)} at boot)`,
    );
    logger.info(`Plist: ${dest}`);
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

/** Unloads and removes the LaunchDaemon of instance NAME. */
export async function uninstallLaunchDaemon(
  host: AutostartHost,
  name: string,
): Promise<void> {
  const target = `system/${launchDaemonLabel(name)}`;
  const dest = launchDaemonPath(host, name);
  await runSudo(host, ["launchctl", "bootout", target]).catch(() => {});
  await runSudo(host, ["launchctl", "disable", target]).catch(() => {});
  try {
    await runSudo(host, ["rm", "-f", dest]);
  } catch (err) {
    throw wrapError(`failed to remove ${dest}`, err);
  }
  logger.info(
    `LaunchDaemon uninstalled for instance ${JSON.stringify(name)}`,
  );
}

/** Whether instance NAME has a LaunchDaemon plist (any error reading it means no, as in Lima). */
export async function hasLaunchDaemon(
  host: AutostartHost,
  name: string,
): Promise<boolean> {
  try {
    await Deno.stat(launchDaemonPath(host, name));
    return true;
  } catch {
    return false;
  }
}
