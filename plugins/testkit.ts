/**
 * Conformance suite for driver authors. Run it from a test against your module:
 *
 * ```ts
 * import * as mod from "./mod.ts";
 * Deno.test("conformance", (t) =>
 *   runConformance(t, { driver: mod, instance: (dir) => ({ name: "kit", dir, config: {...} }) }));
 * ```
 *
 * It checks the manifest, capability honesty (optional members present exactly when the
 * flags say so), defaults and validation, error shapes (diagnostics), and the lifecycle
 * order with the status transitions the host agent relies on.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import process from "node:process";
import { LimaError } from "../core/errors.ts";
import { MOUNT_TYPES } from "../core/config/schema.ts";
import type { Diagnostic } from "../core/errors.ts";
import type {
  Driver,
  DriverInstance,
  DriverModule,
  DriverOptions,
  InstanceStatus,
} from "./contract.ts";
import {
  capabilityMismatches,
  checkManifest,
  presentCapabilities,
} from "./guard.ts";
import { inProcessDriver, type LoadedDriver } from "./loaded_driver.ts";
import { withTimeout } from "../core/timeout.ts";

export interface ConformanceSubject {
  /** The driver: a loaded one (e.g. from a registry, in a Worker) or a module imported here. */
  driver: LoadedDriver | DriverModule;
  /**
   * The instance to test in `dir` (a fresh empty directory): write `INSTDIR/image` and
   * anything else the driver needs, and return the instance with its filled-in config.
   */
  instance(dir: string): DriverInstance | Promise<DriverInstance>;
  /** Options for the driver factory (e.g. paths of fake tools). */
  options?: DriverOptions;
  /** How long the VM may take to report its exit after `stop` (ms; default 60 s). */
  exitTimeout?: number;
  /**
   * Where instance directories are made (default: the system temp directory). A third-party
   * driver may only touch `$LIMA_HOME`, so pass its `LIMA_HOME` here.
   */
  root?: string;
}

function isLoaded(driver: LoadedDriver | DriverModule): driver is LoadedDriver {
  return typeof (driver as LoadedDriver).create === "function" &&
    "location" in driver;
}

function assertDiagnostic(d: Diagnostic, where: string): void {
  assert.ok(
    d.severity === "error" || d.severity === "warning",
    `${where}: severity must be "error" or "warning"`,
  );
  assert.equal(
    typeof d.summary,
    "string",
    `${where}: summary must be a string`,
  );
  assert.ok(d.summary.trim().length > 0, `${where}: summary must not be empty`);
  for (const key of ["detail", "file", "path", "hint"] as const) {
    if (d[key] !== undefined) {
      assert.equal(
        typeof d[key],
        "string",
        `${where}: ${key} must be a string`,
      );
    }
  }
}

async function rejectsWithDiagnostic(
  promise: Promise<unknown>,
  where: string,
): Promise<Diagnostic> {
  try {
    await promise;
  } catch (err) {
    assert.ok(
      err instanceof LimaError,
      `${where}: must fail with a LimaError, got ${String(err)}`,
    );
    assertDiagnostic(err.diagnostic, where);
    assert.equal(
      err.diagnostic.severity,
      "error",
      `${where}: a failure is an error`,
    );
    return err.diagnostic;
  }
  assert.fail(`${where}: expected a failure`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The status as `limactl list` would see it: the driver's answer, else the PID file. */
async function status(
  driver: Driver,
  dir: string,
  vmType: string,
): Promise<InstanceStatus> {
  const answer = await driver.inspectStatus();
  if (answer !== "") return answer;
  try {
    const pid = Number.parseInt(
      await Deno.readTextFile(join(dir, `${vmType}.pid`)),
      10,
    );
    return pid > 0 && pidAlive(pid) ? "Running" : "Stopped";
  } catch {
    return "Stopped";
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(promise, ms, () => {
    throw new Error(`${what} took over ${ms} ms`);
  });
}

/** Runs the conformance checks as steps of the current test. */
export async function runConformance(
  t: Deno.TestContext,
  subject: ConformanceSubject,
): Promise<void> {
  const loaded = isLoaded(subject.driver)
    ? subject.driver
    : inProcessDriver(subject.driver, "module under test");
  const manifest = loaded.manifest;
  const root = await Deno.makeTempDir({
    dir: subject.root,
    prefix: `lima-conformance-${manifest.name}-`,
  });
  let counter = 0;
  const fresh = async (): Promise<
    { instance: DriverInstance; driver: Driver }
  > => {
    const dir = join(root, `inst${++counter}`);
    await Deno.mkdir(dir, { recursive: true });
    const instance = await subject.instance(dir);
    return { instance, driver: await loaded.create(instance, subject.options) };
  };
  // PID files are named after the instance's vmType (`qemu.pid`), which may be an alias.
  const pidName = (instance: DriverInstance) =>
    manifest.vmTypes.includes(instance.config.vmType ?? "")
      ? instance.config.vmType!
      : manifest.vmTypes[0];

  try {
    await t.step(
      "manifest is valid and uses a compatible contract version",
      () => {
        assert.deepEqual(checkManifest(manifest, loaded.location), manifest);
        assert.ok(manifest.vmTypes.length > 0);
      },
    );

    await t.step(
      "optional members are present exactly when the capabilities say so",
      async () => {
        const { driver } = await fresh();
        assert.deepEqual(
          capabilityMismatches(manifest, presentCapabilities(driver)),
          [],
        );
      },
    );

    await t.step(
      "configure fills a supported mount type and is idempotent",
      async () => {
        const { driver } = await fresh();
        const first = await driver.configure();
        if (manifest.capabilities.mountTypes.length > 0) {
          assert.ok(
            (manifest.capabilities.mountTypes as string[]).includes(
              first.mountType ?? "",
            ),
            `mountType ${JSON.stringify(first.mountType)} is not among ${
              manifest.capabilities.mountTypes.join(", ")
            }`,
          );
        }
        assert.deepEqual(await driver.configure(), first);
      },
    );

    await t.step("validate accepts the configured instance", async () => {
      const { driver } = await fresh();
      await driver.configure();
      const found = await driver.validate();
      found.forEach((d, i) => assertDiagnostic(d, `validate()[${i}]`));
      assert.deepEqual(found.filter((d) => d.severity === "error"), []);
    });

    const unsupported = MOUNT_TYPES.find((m) =>
      !(manifest.capabilities.mountTypes as string[]).includes(m)
    );
    if (unsupported) {
      await t.step(
        `validate reports mountType ${
          JSON.stringify(unsupported)
        } as an error on \`mountType\``,
        async () => {
          const dir = join(root, `inst${++counter}`);
          await Deno.mkdir(dir, { recursive: true });
          const base = await subject.instance(dir);
          const driver = await loaded.create({
            ...base,
            config: { ...base.config, mountType: unsupported },
          }, subject.options);
          const configured = await driver.configure();
          assert.equal(
            configured.mountType,
            unsupported,
            "configure must keep a mountType the user set",
          );
          const errors = (await driver.validate()).filter((d) =>
            d.severity === "error"
          );
          assert.ok(
            errors.length > 0,
            "an unsupported mount type must be an error",
          );
          errors.forEach((d, i) => assertDiagnostic(d, `validate()[${i}]`));
          assert.ok(
            errors.some((d) => d.path === "mountType"),
            "the error must name the field `mountType`",
          );
        },
      );
    }

    await t.step(
      "failures are diagnostics (createDisk without an image)",
      async () => {
        const { instance, driver } = await fresh();
        await driver.configure();
        await Deno.remove(join(instance.dir, "image")).catch(() => {});
        await rejectsWithDiagnostic(
          driver.createDisk(),
          "createDisk() without an image",
        );
      },
    );

    await t.step(
      "lifecycle: create, createDisk, start, stop, delete",
      async () => {
        const { instance, driver } = await fresh();
        await driver.configure();
        assert.notEqual(
          await status(driver, instance.dir, pidName(instance)),
          "Running",
          "a new instance must not be running",
        );
        await driver.create();
        await driver.createDisk();
        await driver.createDisk();
        const vm = await driver.start();
        try {
          assert.equal(
            await status(driver, instance.dir, pidName(instance)),
            "Running",
            "status after start",
          );
          assert.ok(
            (await driver.sshAddress()).length > 0,
            "sshAddress must not be empty",
          );
          const scripts = await driver.bootScripts();
          for (const [name, body] of Object.entries(scripts)) {
            assert.equal(typeof body, "string", `boot script ${name}`);
          }
          const info = await driver.info();
          assert.equal(info.instanceDir, instance.dir);
          assert.deepEqual(
            info.features.supportedImageFormats,
            manifest.capabilities.imageFormats,
          );
        } finally {
          await driver.stop();
        }
        const report = await within(
          vm.exited,
          subject.exitTimeout ?? 60_000,
          "the VM's exit report",
        );
        if (report.diagnostic) {
          assertDiagnostic(report.diagnostic, "exit report");
        }
        assert.equal(
          report.diagnostic,
          undefined,
          "a requested stop is not an error",
        );
        assert.notEqual(
          await status(driver, instance.dir, pidName(instance)),
          "Running",
          "status after stop",
        );
        await driver.stop();
        await driver.delete();
        assert.notEqual(
          await status(driver, instance.dir, pidName(instance)),
          "Running",
          "status after delete",
        );
      },
    );

    if (manifest.capabilities.snapshots) {
      await t.step(
        "snapshots of a stopped instance can be created, listed and deleted",
        async () => {
          const { driver } = await fresh();
          await driver.configure();
          await driver.create();
          await driver.createDisk();
          await driver.snapshots!.create("conformance");
          assert.match(await driver.snapshots!.list(), /conformance/);
          await driver.snapshots!.delete("conformance");
          assert.doesNotMatch(await driver.snapshots!.list(), /conformance/);
        },
      );
    }
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}
