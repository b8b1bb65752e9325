import type { DriverRegistry } from "../plugins/registry.ts";

/** What the entry point hands the commands: the parts the CLI must not import itself. */
export interface Wiring {
  /** The driver registry (built-in drivers and installed third-party ones), loaded on first use. */
  drivers: () => Promise<DriverRegistry>;
}
