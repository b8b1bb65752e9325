/** A driver module that has been loaded and checked, ready to bind to instances. */
import { LimaError } from "../core/errors.ts";
import { quote } from "../core/quote.ts";
import { assertHonest, checkManifest, guardDriver } from "./guard.ts";
import type {
  Driver,
  DriverInstance,
  DriverManifest,
  DriverModule,
  DriverOptions,
} from "./contract.ts";

export interface LoadedDriver {
  readonly manifest: DriverManifest;
  /** `internal`, or the path or URL the driver was installed from. */
  readonly location: string;
  /** Binds the driver to an instance. */
  create(instance: DriverInstance, options?: DriverOptions): Promise<Driver>;
  /** Ends a third-party driver's Worker (a no-op for in-process drivers); the process cannot exit before. */
  close(): void;
}

/** Wraps a module imported into this process (built-in drivers, or a driver's own tests). */
export function inProcessDriver(
  module: DriverModule,
  location = "internal",
): LoadedDriver {
  const manifest = checkManifest(module.manifest, location);
  if (typeof module.default !== "function") {
    throw new LimaError({
      summary: `driver module ${
        quote(location)
      } has no default export (the driver factory)`,
    });
  }
  return {
    manifest,
    location,
    create(instance, options) {
      const driver = module.default(instance, options);
      assertHonest(manifest, driver);
      return Promise.resolve(guardDriver(manifest.name, driver));
    },
    close() {},
  };
}
