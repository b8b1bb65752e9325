/**
 * Messages between limactl and a third-party driver running in a Deno Worker. The driver's
 * objects stay in the Worker; limactl holds proxies that send `call`s.
 */
import type { Diagnostic } from "../core/errors.ts";
import type { DriverInstance, DriverOptions, ExitReport } from "./contract.ts";

export type HostMessage =
  | { kind: "load"; url: string }
  | {
    kind: "create";
    id: number;
    instance: DriverInstance;
    options: DriverOptions;
  }
  | {
    kind: "call";
    id: number;
    driver: number;
    method: string;
    args: unknown[];
  };

export type WorkerMessage =
  | { kind: "loaded"; manifest: unknown }
  | { kind: "load-failed"; failure: LoadFailure }
  | { kind: "result"; id: number; value: unknown }
  | { kind: "error"; id: number; diagnostic: Diagnostic }
  /** A VM started by call `id` has ended. */
  | { kind: "exited"; id: number; report: ExitReport };

/**
 * Why importing the module failed: the diagnostic it threw, or the error as Deno raised it,
 * for limactl to explain with the module's location (which the Worker does not know).
 */
export type LoadFailure =
  | { diagnostic: Diagnostic }
  | { name: string; message: string };

/** What a `create` call answers: a handle and the optional members the driver really has. */
export interface CreatedDriver {
  driver: number;
  members: {
    snapshots: boolean;
    gui: boolean;
    display: boolean;
    screenshot: boolean;
    guestAgentConn: boolean;
  };
}

/** Methods a proxy may call; nested ones are `group.method`. */
export const CALLABLE = [
  "configure",
  "validate",
  "create",
  "createDisk",
  "start",
  "stop",
  "delete",
  "inspectStatus",
  "sshAddress",
  "bootScripts",
  "info",
  "runGUI",
  "guestAgentConn",
  "snapshots.create",
  "snapshots.apply",
  "snapshots.delete",
  "snapshots.list",
  "display.changePassword",
  "display.connection",
  "display.screenshot",
] as const;
export type Callable = typeof CALLABLE[number];
