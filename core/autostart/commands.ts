/**
 * What `limactl autostart enable|disable` and the deprecated `limactl start-at-login` do (Lima's
 * `cmd/limactl/autostart_others.go`, `autostart_darwin.go`, `start-at-login_unix.go` and
 * `start-at-login_windows.go`), and the clean-up `limactl delete` does (`cmd/limactl/delete.go`).
 */
import { errorMessage, LimaError } from "../errors.ts";
import { inspectInstance } from "../instance/instance.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { DEFAULT_INSTANCE } from "../store/names.ts";
import { type AutostartHost, systemHost } from "./host.ts";
import {
  hasLaunchDaemon,
  installLaunchDaemon,
  uninstallLaunchDaemon,
} from "./launch_daemon.ts";
import {
  type AutostartInstance,
  autostartManager,
  AutostartNotSupportedError,
  wrapError,
} from "./manager.ts";

/** Lima's `store.Inspect` as these commands use it: undefined when the instance does not exist. */
async function findInstance(
  name: string,
): Promise<AutostartInstance | undefined> {
  const inst = await inspectInstance(name);
  return inst && { name: inst.name, dir: inst.dir };
}

async function requireInstance(name: string): Promise<AutostartInstance> {
  const inst = await findInstance(name);
  if (!inst) {
    throw new LimaError({
      summary: `instance ${JSON.stringify(name)} not found`,
    });
  }
  return inst;
}

export interface EnableOptions {
  /** `--condition`: `login` (default) or `boot` (macOS only). */
  condition?: string;
  /** `--user`: the macOS user a LaunchDaemon runs as (default `$USER`). */
  user?: string;
  host?: AutostartHost;
}

async function registerAtLogin(
  host: AutostartHost,
  inst: AutostartInstance,
): Promise<void> {
  try {
    await autostartManager(host).register(inst);
  } catch (err) {
    throw wrapError(
      `failed to register instance ${quote(inst.name)} to start at login`,
      err,
    );
  }
  logger.info(`Instance ${quote(inst.name)} registered to start at login`);
}

/** `limactl autostart enable [--condition=login|boot] [--user USER] NAME`. */
export async function autostartEnable(
  name: string,
  o: EnableOptions = {},
): Promise<void> {
  const host = o.host ?? systemHost();
  const condition = o.condition ?? "login";
  if (host.os !== "darwin") {
    // Any condition but boot means login here, as in Lima.
    if (condition === "boot") {
      throw new LimaError({
        summary: "--condition=boot is only supported on macOS",
      });
    }
    await registerAtLogin(host, await requireInstance(name));
    return;
  }
  const inst = await requireInstance(name);
  switch (condition) {
    case "login":
      await registerAtLogin(host, inst);
      return;
    case "boot": {
      const user = o.user || host.env("USER");
      if (!user) {
        throw new LimaError({
          summary: "could not determine user; pass --user",
        });
      }
      await installLaunchDaemon(host, inst, user);
      return;
    }
    default:
      throw new LimaError({
        summary: `unknown condition ${
          JSON.stringify(condition)
        }: must be "login" or "boot"`,
      });
  }
}

/** `limactl autostart disable NAME`: removes the login entry, else (macOS) the LaunchDaemon. */
export async function autostartDisable(
  name: string,
  o: { host?: AutostartHost } = {},
): Promise<void> {
  const host = o.host ?? systemHost();
  const inst = await requireInstance(name);
  const manager = autostartManager(host);
  if (await manager.isRegistered(inst)) {
    try {
      await manager.unregister(inst);
    } catch (err) {
      throw wrapError(
        `failed to unregister instance ${quote(inst.name)} from start at login`,
        err,
      );
    }
    logger.info(
      `Instance ${quote(inst.name)} unregistered from start at login`,
    );
    return;
  }
  if (host.os === "darwin" && await hasLaunchDaemon(host, inst.name)) {
    await uninstallLaunchDaemon(host, inst.name);
    return;
  }
  logger.info(
    `Instance ${quote(inst.name)} is not registered for automatic startup`,
  );
}

/**
 * `limactl start-at-login [--enabled=false] [NAME]` (deprecated): creates or updates the login
 * entry, or removes it. An instance that does not exist is only reported.
 */
export async function startAtLogin(
  name: string | undefined,
  o: { enabled?: boolean; host?: AutostartHost } = {},
): Promise<void> {
  const host = o.host ?? systemHost();
  if (host.os === "windows") {
    throw new LimaError({
      summary:
        "start-at-login command is only supported on macOS and Linux right now",
    });
  }
  const instName = name ?? DEFAULT_INSTANCE;
  const inst = await findInstance(instName);
  if (!inst) {
    logger.info(`Instance ${quote(instName)} not found`);
    return;
  }
  const q = quote(inst.name);
  const manager = autostartManager(host);
  let registered: boolean;
  try {
    registered = await manager.isRegistered(inst);
  } catch (err) {
    throw wrapError(
      `failed to check if the autostart entry for instance ${q} is registered`,
      err,
    );
  }
  if (o.enabled ?? true) {
    const verb = registered ? "update" : "create";
    try {
      await manager.register(inst);
    } catch (err) {
      throw wrapError(
        `failed to ${verb} the autostart entry for instance ${q}`,
        err,
      );
    }
    logger.info(`The autostart entry for instance ${q} has been ${verb}d`);
  } else if (!registered) {
    logger.info(`The autostart entry for instance ${q} is not registered`);
  } else {
    try {
      await manager.unregister(inst);
    } catch (err) {
      throw wrapError(
        `failed to unregister the autostart entry for instance ${q}`,
        err,
      );
    }
    logger.info(`The autostart entry for instance ${q} has been unregistered`);
  }
}

/**
 * After `limactl delete` removed INST: its login entry goes too. Failures are warnings, and a
 * host without autostart says nothing.
 */
export async function unregisterDeleted(
  inst: AutostartInstance,
  o: { host?: AutostartHost } = {},
): Promise<void> {
  const manager = autostartManager(o.host ?? systemHost());
  const q = quote(inst.name);
  let registered: boolean;
  try {
    registered = await manager.isRegistered(inst);
  } catch (err) {
    if (err instanceof AutostartNotSupportedError) return;
    logger.warn(
      `Failed to check if the autostart entry for instance ${q} is registered`,
      { error: errorMessage(err) },
    );
    return;
  }
  if (!registered) return;
  try {
    await manager.unregister(inst);
  } catch (err) {
    logger.warn(
      `Failed to unregister the autostart entry for instance ${q}`,
      { error: errorMessage(err) },
    );
    return;
  }
  logger.info(`The autostart entry for instance ${q} has been unregistered`);
}
