/**
 * Runs a third-party driver module in a Deno Worker that has only the permissions the
 * driver declares (and the user granted), and gives limactl a `Driver` proxy for it.
 */
import { pathToFileURL } from "node:url";
import { type Diagnostic, LimaError } from "../core/errors.ts";
import { quote } from "../core/quote.ts";
import { shellQuote } from "../core/shell_quote.ts";
import type {
  Driver,
  DriverInfo,
  DriverManifest,
  DriverPermissions,
  ExitReport,
  GuestAgentEndpoint,
  InstanceStatus,
  RunningVM,
} from "./contract.ts";
import {
  capabilityMismatches,
  checkManifest,
  plainDenoMessage,
  withoutColours,
} from "./guard.ts";
import type { LoadedDriver } from "./loaded_driver.ts";
import {
  describePermissions,
  exceedingPermissions,
  workerPermissions,
} from "./permissions.ts";
import { checkSymlinks, driverDataDir, sandboxPaths } from "./sandbox.ts";
import { WORKER_HOST_URL } from "./worker_host.ts";
import type {
  Callable,
  CreatedDriver,
  HostMessage,
  LoadFailure,
  WorkerMessage,
} from "./worker_protocol.ts";

/** How long a module's top-level code may run when it is imported. */
const LOAD_TIMEOUT_MS = 10_000;

/**
 * Why MODULE (its install location) could not be imported, in words: a module that imports
 * another file or a remote module is not self-contained (its Worker may read the module file
 * alone, and import nothing).
 */
export function loadError(module: string, failure: LoadFailure): LimaError {
  if ("diagnostic" in failure) return new LimaError(failure.diagnostic);
  const raw = withoutColours(failure.message);
  const text = plainDenoMessage(raw);
  const needs = /Requires (read|import|net) access to "([^"]+)"/.exec(text);
  if (needs && failure.name !== "NotCapable") {
    return new LimaError({
      summary: `driver module ${
        quote(module)
      } must be self-contained (a single file)`,
      detail: needs[1] === "read"
        ? `it imports ${quote(needs[2])}`
        : `it imports a module from ${quote(needs[2])}`,
      hint:
        "bundle the driver and what it imports into one module (for example with `deno bundle`) and install that",
    });
  }
  if (failure.name === "NotCapable") {
    return new LimaError({
      summary: `driver module ${quote(module)} needs a permission to load`,
      detail: text,
      hint:
        "a driver module's top-level code runs without permissions; use them in the driver's methods",
    });
  }
  const at = /\bat file:\/\/\S*:(\d+):(\d+)\s*$/m.exec(raw);
  const first = text.split("\n")[0];
  return new LimaError({
    summary: `driver module ${quote(module)} failed to load`,
    detail: at ? `${first} (line ${at[1]}, column ${at[2]})` : first,
  });
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: LimaError): void;
}

/** One Worker and the calls in flight to it. */
class Connection {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #exits = new Map<number, (report: ExitReport) => void>();
  #nextId = 1;
  #loaded?: { resolve(manifest: unknown): void; reject(err: LimaError): void };
  #failure?: LimaError;

  /**
   * LABEL names the driver in messages; MODULE is where it was installed from (the label,
   * when the driver's name is not known yet).
   */
  constructor(
    readonly label: string,
    permissions: ReturnType<typeof workerPermissions>,
    readonly module: string = label,
  ) {
    this.#worker = new Worker(WORKER_HOST_URL, {
      type: "module",
      name: label,
      deno: { permissions },
    } as WorkerOptions);
    this.#worker.onmessage = (event: MessageEvent<WorkerMessage>) =>
      this.#receive(event.data);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#fail({
        summary: `driver ${quote(label)} crashed`,
        detail: plainDenoMessage(event.message),
      });
    };
    this.#worker.onmessageerror = () => {
      this.#fail({
        summary: `driver ${quote(label)} sent a message that cannot be read`,
      });
    };
  }

  /** Imports the module; a top level still running after TIMEOUT_MS ends the Worker. */
  load(url: string, timeoutMs = LOAD_TIMEOUT_MS): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new Promise((resolve, reject) => {
      this.#loaded = { resolve, reject };
      timer = setTimeout(() => {
        this.#worker.terminate();
        this.#fail({
          summary: `driver module ${
            quote(this.module)
          } did not finish loading within ${timeoutMs / 1000} s`,
          detail: "its top-level code never returned; the Worker was stopped",
        });
      }, timeoutMs);
      this.#post({ kind: "load", url });
    }).finally(() => clearTimeout(timer));
  }

  request(
    message: DistributiveOmit<Extract<HostMessage, { id: number }>, "id">,
  ): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#post({ ...message, id } as HostMessage);
    });
  }

  /** Calls `start` and wires the VM's later `exited` message to a promise. */
  async start(driver: number): Promise<RunningVM> {
    const id = this.#nextId;
    const exited = new Promise<ExitReport>((resolve) =>
      this.#exits.set(id, resolve)
    );
    const value = await this.request({
      kind: "call",
      driver,
      method: "start",
      args: [],
    }) as { pid?: number };
    return { pid: value.pid, exited };
  }

  close(): void {
    this.#worker.terminate();
    this.#fail({ summary: `driver ${quote(this.label)} was closed` });
  }

  #post(message: HostMessage): void {
    this.#worker.postMessage(message);
  }

  #receive(message: WorkerMessage): void {
    switch (message.kind) {
      case "loaded":
        this.#loaded?.resolve(message.manifest);
        return;
      case "load-failed":
        this.#loaded?.reject(loadError(this.module, message.failure));
        return;
      case "result":
        this.#pending.get(message.id)?.resolve(message.value);
        this.#pending.delete(message.id);
        return;
      case "error":
        this.#pending.get(message.id)?.reject(
          new LimaError(message.diagnostic),
        );
        this.#pending.delete(message.id);
        return;
      case "exited":
        this.#exits.get(message.id)?.(message.report);
        this.#exits.delete(message.id);
        return;
    }
  }

  #fail(diagnostic: Omit<Diagnostic, "severity">): void {
    const err = this.#failure ?? new LimaError(diagnostic);
    this.#failure = err;
    this.#loaded?.reject(err);
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    for (const exit of this.#exits.values()) {
      exit({ code: null, diagnostic: err.diagnostic });
    }
    this.#exits.clear();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K>
  : never;

function proxy(conn: Connection, created: CreatedDriver): Driver {
  const call = <T>(method: Callable, ...args: unknown[]) =>
    conn.request({
      kind: "call",
      driver: created.driver,
      method,
      args,
    }) as Promise<T>;
  const driver: Driver = {
    configure: () => call("configure"),
    validate: () => call<Diagnostic[]>("validate"),
    create: () => call("create"),
    createDisk: () => call("createDisk"),
    start: () => conn.start(created.driver),
    stop: () => call("stop"),
    delete: () => call("delete"),
    inspectStatus: () => call<InstanceStatus>("inspectStatus"),
    sshAddress: () => call<string>("sshAddress"),
    bootScripts: () => call<Record<string, string>>("bootScripts"),
    info: () => call<DriverInfo>("info"),
  };
  if (created.members.gui) driver.runGUI = () => call("runGUI");
  if (created.members.guestAgentConn) {
    driver.guestAgentConn = () => call<GuestAgentEndpoint>("guestAgentConn");
  }
  if (created.members.snapshots) {
    driver.snapshots = {
      create: (tag) => call("snapshots.create", tag),
      apply: (tag) => call("snapshots.apply", tag),
      delete: (tag) => call("snapshots.delete", tag),
      list: () => call<string>("snapshots.list"),
    };
  }
  if (created.members.display) {
    driver.display = {
      changePassword: (pw) => call("display.changePassword", pw),
      connection: () => call<string>("display.connection"),
      ...(created.members.screenshot
        ? {
          screenshot: (format) =>
            call<Uint8Array<ArrayBuffer>>("display.screenshot", format),
        }
        : {}),
    };
  }
  return driver;
}

/** Reads a module's manifest in a Worker that may read nothing but the module itself. */
export async function readManifest(
  file: string,
  location: string,
  timeoutMs?: number,
): Promise<DriverManifest> {
  const conn = new Connection(location, workerPermissions(undefined, file));
  try {
    return checkManifest(
      await conn.load(pathToFileURL(file).href, timeoutMs),
      location,
    );
  } finally {
    conn.close();
  }
}

export interface WorkerDriverOptions {
  /** The module file on disk (a cached download or a local path). */
  file: string;
  /** Where the driver came from, as `limactl info` shows it. */
  location: string;
  /** What the user granted at install time. */
  granted: DriverPermissions | undefined;
  /** Where the driver's own directories are (see `sandbox.ts`). */
  limaHome: string;
}

/**
 * Loads a third-party driver: reads its manifest in a Worker without permissions and refuses
 * it when it declares more than was granted. Each instance it is bound to gets a Worker of its
 * own, allowed what the manifest declares with `read`/`write` limited to that instance's
 * directory and the driver's data directory (`sandbox.ts`).
 */
export async function loadWorkerDriver(
  options: WorkerDriverOptions,
): Promise<LoadedDriver> {
  const manifest = await readManifest(options.file, options.location);
  const extra = exceedingPermissions(manifest.permissions, options.granted);
  if (extra.length > 0) {
    throw new LimaError({
      summary: `driver ${
        quote(manifest.name)
      } asks for permissions that were not granted`,
      detail: `it asks for ${extra.join("; ")}; granted: ${
        describePermissions(options.granted)
      }`,
      file: options.location,
      hint:
        `review them and install the driver again with \`limactl driver install ${
          shellQuote(options.location)
        }\``,
    });
  }
  const place = { limaHome: options.limaHome, driverName: manifest.name };
  await sandboxPaths(manifest.permissions, place);
  const connections = new Set<Connection>();
  return {
    manifest,
    location: options.location,
    async create(instance, driverOptions = {}) {
      const bound = { ...place, instanceDir: instance.dir };
      await Deno.mkdir(driverDataDir(options.limaHome, manifest.name), {
        recursive: true,
      });
      const paths = await sandboxPaths(manifest.permissions, bound);
      await checkSymlinks(paths, bound);
      const conn = new Connection(
        manifest.name,
        workerPermissions(manifest.permissions, options.file, paths),
        options.location,
      );
      connections.add(conn);
      let created: CreatedDriver;
      try {
        await conn.load(pathToFileURL(options.file).href);
        created = await conn.request({
          kind: "create",
          instance,
          options: driverOptions,
        }) as CreatedDriver;
      } catch (err) {
        conn.close();
        connections.delete(conn);
        throw err;
      }
      const problems = capabilityMismatches(manifest, created.members);
      if (problems.length > 0) {
        throw new LimaError({
          summary: `driver ${quote(manifest.name)} does not match its manifest`,
          detail: problems.join("; "),
          file: options.location,
        });
      }
      return proxy(conn, created);
    },
    close() {
      for (const conn of connections) conn.close();
      connections.clear();
    },
  };
}
