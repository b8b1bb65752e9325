/**
 * Makes every driver, built-in or third-party, report failures the same way: as a
 * `LimaError` carrying a `Diagnostic` that names the driver and what it was doing.
 */
import { type Diagnostic, errorMessage, LimaError } from "../core/errors.ts";
import { quote } from "../core/quote.ts";
import {
  CONTRACT_VERSION,
  type Driver,
  type DriverManifest,
  DriverManifestSchema,
  isContractCompatible,
  NoDisplayError,
  supportsHost,
} from "./contract.ts";

function isDiagnostic(value: unknown): value is Diagnostic {
  const d = value as Diagnostic | undefined;
  return typeof d === "object" && d !== null && typeof d.summary === "string";
}

/** TEXT without terminal colour (and other CSI) codes. */
export function withoutColours(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

/**
 * A message Deno raised, as limactl shows it: without terminal colour codes, without the
 * "run again with the --allow-… flag" advice (limactl never runs a driver with more than it
 * was granted) and without the source positions after it.
 */
export function plainDenoMessage(message: string): string {
  return withoutColours(message)
    .replace(/, run again with the --allow-[a-z-]+ flag/g, "")
    .replace(/\n\s+at \S.*/g, "")
    .trimEnd();
}

/** The diagnostic ERR carries: a `LimaError`'s, or a `diagnostic` property of any error. */
export function carriedDiagnostic(err: unknown): Diagnostic | undefined {
  if (err instanceof LimaError) return err.diagnostic;
  const carried = (err as { diagnostic?: unknown } | undefined)?.diagnostic;
  return isDiagnostic(carried)
    ? { ...carried, severity: carried.severity ?? "error" }
    : undefined;
}

/** A diagnostic as it crosses a worker boundary (LimaError itself cannot be cloned). */
export function toDiagnostic(
  err: unknown,
  driver: string,
  action: string,
): Diagnostic {
  const carried = carriedDiagnostic(err);
  if (carried) return carried;
  if (err instanceof Error && err.name === "NotCapable") {
    return {
      severity: "error",
      summary: `driver ${
        quote(driver)
      } needs a permission that it did not declare`,
      detail: plainDenoMessage(err.message),
      hint:
        "the driver's manifest must list every permission it uses under `permissions`",
    };
  }
  return {
    severity: "error",
    summary: `driver ${quote(driver)} failed to ${action}`,
    detail: withoutColours(errorMessage(err)),
  };
}

/** The `LimaError` for anything a driver threw. */
export function driverError(
  err: unknown,
  driver: string,
  action: string,
): LimaError {
  if (err instanceof LimaError) return err;
  return new LimaError(toDiagnostic(err, driver, action), { cause: err });
}

const ACTIONS: Record<string, string> = {
  configure: "fill in its defaults",
  validate: "validate the configuration",
  create: "create the instance",
  createDisk: "create the disk",
  start: "start the VM",
  stop: "stop the VM",
  delete: "delete the instance",
  inspectStatus: "inspect the status",
  sshAddress: "report the SSH address",
  bootScripts: "provide boot scripts",
  info: "describe itself",
  runGUI: "run the GUI",
  guestAgentConn: "connect to the guest agent",
};

function wrap<A extends unknown[], R>(
  driver: string,
  action: string,
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw driverError(err, driver, action);
    }
  };
}

/** Wraps a driver so that every failure (and every validation problem) is a diagnostic. */
export function guardDriver(name: string, driver: Driver): Driver {
  const call = <K extends keyof typeof ACTIONS>(key: K & keyof Driver) => {
    const fn = driver[key] as
      | ((...args: unknown[]) => Promise<unknown>)
      | undefined;
    return fn && wrap(name, ACTIONS[key], fn.bind(driver));
  };
  const guarded: Driver = {
    configure: call("configure") as Driver["configure"],
    validate: async () => {
      const found = await wrap(
        name,
        ACTIONS.validate,
        () => driver.validate(),
      )();
      return found.map((d) => ({ ...d, severity: d.severity ?? "error" }));
    },
    create: call("create") as Driver["create"],
    createDisk: call("createDisk") as Driver["createDisk"],
    start: async () => {
      const vm = await wrap(name, ACTIONS.start, () => driver.start())();
      return {
        pid: vm.pid,
        exited: vm.exited.catch((err) => ({
          code: null,
          diagnostic: toDiagnostic(err, name, "run the VM"),
        })),
      };
    },
    stop: call("stop") as Driver["stop"],
    delete: call("delete") as Driver["delete"],
    inspectStatus: call("inspectStatus") as Driver["inspectStatus"],
    sshAddress: call("sshAddress") as Driver["sshAddress"],
    bootScripts: call("bootScripts") as Driver["bootScripts"],
    info: call("info") as Driver["info"],
  };
  if (driver.runGUI) guarded.runGUI = call("runGUI") as Driver["runGUI"];
  if (driver.guestAgentConn) {
    guarded.guestAgentConn = call("guestAgentConn") as Driver["guestAgentConn"];
  }
  const snapshots = driver.snapshots;
  if (snapshots) {
    guarded.snapshots = {
      create: wrap(
        name,
        "create a snapshot",
        (tag: string) => snapshots.create(tag),
      ),
      apply: wrap(
        name,
        "apply a snapshot",
        (tag: string) => snapshots.apply(tag),
      ),
      delete: wrap(
        name,
        "delete a snapshot",
        (tag: string) => snapshots.delete(tag),
      ),
      list: wrap(name, "list snapshots", () => snapshots.list()),
    };
  }
  const display = driver.display;
  if (display) {
    guarded.display = {
      changePassword: wrap(
        name,
        "change the display password",
        (pw: string) => display.changePassword(pw),
      ),
      connection: wrap(
        name,
        "report the display connection",
        () => display.connection(),
      ),
    };
    const screenshot = display.screenshot?.bind(display);
    if (screenshot) {
      guarded.display.screenshot = async (format) => {
        try {
          return await screenshot(format);
        } catch (err) {
          // The host agent answers it as Lima does (422), not as a driver failure.
          if (err instanceof NoDisplayError) throw err;
          throw driverError(err, name, "capture a screenshot");
        }
      };
    }
  }
  return guarded;
}

/** The optional members a driver has, by the capability that governs each. */
export function presentCapabilities(driver: Driver): {
  snapshots: boolean;
  gui: boolean;
  display: boolean;
  screenshot: boolean;
  guestAgentConn: boolean;
} {
  return {
    snapshots: driver.snapshots !== undefined,
    gui: typeof driver.runGUI === "function",
    display: driver.display !== undefined,
    screenshot: typeof driver.display?.screenshot === "function",
    guestAgentConn: typeof driver.guestAgentConn === "function",
  };
}

/** Ways in which the driver's members disagree with its manifest (empty when honest). */
export function capabilityMismatches(
  manifest: DriverManifest,
  present: ReturnType<typeof presentCapabilities>,
): string[] {
  const caps = manifest.capabilities;
  const expected = {
    snapshots: caps.snapshots,
    gui: caps.gui,
    display: caps.display,
    screenshot: caps.screenshot ?? false,
    guestAgentConn: caps.guestAgentTransport !== "ssh",
  };
  const member = {
    snapshots: "snapshots",
    gui: "runGUI",
    display: "display",
    screenshot: "display.screenshot",
    guestAgentConn: "guestAgentConn",
  };
  const flag = {
    snapshots: "capabilities.snapshots",
    gui: "capabilities.gui",
    display: "capabilities.display",
    screenshot: "capabilities.screenshot",
    guestAgentConn: "capabilities.guestAgentTransport",
  };
  return (Object.keys(expected) as (keyof typeof expected)[])
    .filter((k) => expected[k] !== present[k])
    .map((k) =>
      expected[k]
        ? `\`${flag[k]}\` promises \`${member[k]}\` but the driver has none`
        : `the driver has \`${member[k]}\` but \`${
          flag[k]
        }\` does not announce it`
    );
}

/** Refuses a driver whose members disagree with its manifest. */
export function assertHonest(manifest: DriverManifest, driver: Driver): void {
  const problems = capabilityMismatches(manifest, presentCapabilities(driver));
  if (problems.length > 0) {
    throw new LimaError({
      summary: `driver ${quote(manifest.name)} does not match its manifest`,
      detail: problems.join("; "),
    });
  }
}

/** Checks a module's manifest shape and contract version. */
export function checkManifest(
  value: unknown,
  location: string,
): DriverManifest {
  const parsed = DriverManifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LimaError({
      summary: `driver module ${quote(location)} has an invalid manifest`,
      path: ["manifest", ...issue.path.map(String)].join("."),
      detail: issue.message,
    });
  }
  const manifest = parsed.data;
  if (!isContractCompatible(manifest.contractVersion)) {
    throw new LimaError({
      summary: `driver ${
        quote(manifest.name)
      } implements driver contract version ${
        JSON.stringify(String(manifest.contractVersion))
      }, but this limactl implements version ${
        JSON.stringify(CONTRACT_VERSION)
      }`,
      file: location,
      hint: "use a release of the driver written for this contract version",
    });
  }
  return manifest;
}

/** Refuses to start a VM on a host the driver does not list (configurations still validate). */
export function assertHostSupported(
  manifest: DriverManifest,
  host: { os: string; arch: string } = {
    os: Deno.build.os,
    arch: Deno.build.arch,
  },
): void {
  if (supportsHost(manifest, host)) return;
  const hosts = manifest.hosts.map((h) =>
    `${h.os}${h.arch ? `/${h.arch.join("|")}` : ""}`
  );
  throw new LimaError({
    summary: `driver ${
      quote(manifest.name)
    } cannot run on this host (${host.os}/${host.arch})`,
    detail: `it supports ${hosts.join(", ")}`,
  });
}
