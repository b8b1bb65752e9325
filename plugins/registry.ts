/**
 * The driver registry: built-in drivers (injected as lazy loaders, so the core never names
 * one) plus third-party drivers the user installed by URL or path. Nothing is imported until
 * a driver is asked for, so listing drivers or instances loads none.
 */
import { LimaError } from "../core/errors.ts";
import { quote } from "../core/quote.ts";
import {
  type DriverManifest,
  type DriverModule,
  supportsHost,
} from "./contract.ts";
import { inProcessDriver, type LoadedDriver } from "./loaded_driver.ts";
import { driverNotInstalled } from "./not_installed.ts";
import { permissionEntries } from "./permissions.ts";
import { driverDataDir, INSTANCE_PLACEHOLDER } from "./sandbox.ts";
import {
  DriverStore,
  type InstallOptions,
  type InstallResult,
  isInstallableLocation,
  isModuleLocation,
} from "./installed_drivers.ts";
import { loadWorkerDriver } from "./worker_driver.ts";

/** vmType → loader of a built-in driver module; each loader is an `import()` of a static specifier. */
export type BuiltinDrivers = Record<string, () => Promise<unknown>>;

export interface RegistryOptions {
  builtin: BuiltinDrivers;
  limaHome: string;
}

export interface DriverListing {
  name: string;
  /** `internal`, or the path or URL a third-party driver was installed from. */
  location: string;
}

export class DriverRegistry {
  readonly store: DriverStore;
  readonly #builtin: BuiltinDrivers;
  readonly #loaded = new Map<string, Promise<LoadedDriver>>();
  readonly #limaHome: string;

  constructor(options: RegistryOptions) {
    this.#builtin = options.builtin;
    this.#limaHome = options.limaHome;
    this.store = new DriverStore(options.limaHome);
  }

  /** Every driver with where it comes from, sorted by name; loads nothing. */
  async list(): Promise<DriverListing[]> {
    const builtin = Object.keys(this.#builtin).map((name) => ({
      name,
      location: "internal",
    }));
    const installed = (await this.store.records()).map((r) => ({
      name: r.name,
      location: r.location,
    }));
    return [...builtin, ...installed].sort((a, b) =>
      a.name.localeCompare(b.name)
    );
  }

  /**
   * Names of the drivers that can start VMs on this host (`--list-drivers`, as Lima lists the
   * drivers of its build): built-in ones whose manifest lists the host, and every installed one
   * (their manifests are checked when they load).
   */
  async namesForThisHost(): Promise<string[]> {
    const names: string[] = [];
    for (const { name, location } of await this.list()) {
      if (
        location !== "internal" || supportsHost((await this.get(name)).manifest)
      ) names.push(name);
    }
    return names;
  }

  /** Whether `vmType` names a built-in or installed driver; loads nothing. */
  async has(vmType: string): Promise<boolean> {
    return vmType in this.#builtin ||
      (await this.store.find(vmType)) !== undefined;
  }

  /**
   * The driver for a `vmType`: a built-in name, or the name or install location of an
   * installed driver. A module that is not installed is refused before anything is fetched.
   */
  get(vmType: string): Promise<LoadedDriver> {
    let loaded = this.#loaded.get(vmType);
    if (!loaded) {
      loaded = this.#load(vmType);
      loaded.catch(() => this.#loaded.delete(vmType));
      this.#loaded.set(vmType, loaded);
    }
    return loaded;
  }

  /** Installs a third-party driver (see `DriverStore.install`); built-in names are reserved. */
  install(
    location: string,
    options: Omit<InstallOptions, "reserved"> = {},
  ): Promise<InstallResult> {
    return this.store.install(location, {
      ...options,
      reserved: Object.keys(this.#builtin),
    });
  }

  /** Ends the Workers of the third-party drivers loaded so far. */
  async close(): Promise<void> {
    const loaded = [...this.#loaded.values()];
    this.#loaded.clear();
    for (const result of await Promise.allSettled(loaded)) {
      if (result.status === "fulfilled") result.value.close();
    }
  }

  async #load(vmType: string): Promise<LoadedDriver> {
    const builtin = this.#builtin[vmType];
    if (builtin) return inProcessDriver((await builtin()) as DriverModule);
    const record = await this.store.find(vmType);
    if (!record && isModuleLocation(vmType)) {
      throw driverNotInstalled(vmType, isInstallableLocation(vmType));
    }
    if (!record) {
      throw new LimaError({
        summary: `vmType ${JSON.stringify(vmType)} is not a registered driver`,
        path: "vmType",
      });
    }
    await this.store.verify(record);
    return loadWorkerDriver({
      file: record.file,
      location: record.location,
      granted: record.permissions,
      limaHome: this.#limaHome,
    });
  }
}

/**
 * What a driver asks for, shown before the user confirms its installation: `read` and `write`
 * as the absolute paths the driver will be given.
 */
export function permissionSummary(
  manifest: DriverManifest,
  location: string,
  limaHome: string,
): string {
  const head = `Driver ${
    quote(manifest.name)
  } (contract ${manifest.contractVersion}) from ${location}`;
  const entries = permissionEntries(manifest.permissions, {
    limaHome,
    driverName: manifest.name,
  });
  if (entries.length === 0) return `${head} asks for no permissions`;
  const lines = [
    `${head} asks for these permissions:`,
    ...entries.map((e) => `  ${e}`),
  ];
  if (entries.some((e) => e.includes(INSTANCE_PLACEHOLDER))) {
    lines.push(
      `(${INSTANCE_PLACEHOLDER} is the directory of each instance it drives; ${
        driverDataDir(limaHome, manifest.name)
      } is its own data directory)`,
    );
  }
  return lines.join("\n");
}
