/**
 * The entry point of a third-party driver's Worker: imports the driver module (with only the
 * permissions the Worker was given) and answers limactl's calls (see `worker_protocol.ts`).
 */
import type { Driver, DriverModule } from "./contract.ts";
import { errorMessage } from "../core/errors.ts";
import {
  carriedDiagnostic,
  presentCapabilities,
  toDiagnostic,
} from "./guard.ts";
import {
  CALLABLE,
  type CreatedDriver,
  type HostMessage,
  type WorkerMessage,
} from "./worker_protocol.ts";

/** The module URL of this file; importing it keeps it in `deno compile`'s module graph. */
export const WORKER_HOST_URL = import.meta.url;

interface Port {
  postMessage(message: WorkerMessage): void;
  onmessage: ((event: MessageEvent<HostMessage>) => void) | null;
}

type Method = (...args: unknown[]) => Promise<unknown>;

function lookup(driver: Driver, method: string): Method | undefined {
  if (!(CALLABLE as readonly string[]).includes(method)) return undefined;
  const [group, member] = method.includes(".")
    ? method.split(".")
    : [undefined, method];
  const target =
    (group ? (driver as unknown as Record<string, unknown>)[group] : driver) as
      | Record<string, unknown>
      | undefined;
  const fn = target?.[member];
  return typeof fn === "function" ? (fn as Method).bind(target) : undefined;
}

/** Serves one driver module over `port`. */
export function serve(port: Port): void {
  let module: DriverModule | undefined;
  let name = "unknown";
  const drivers = new Map<number, Driver>();
  let nextDriver = 1;

  const answer = (id: number, work: () => Promise<unknown>, action: string) => {
    work().then(
      (value) => port.postMessage({ kind: "result", id, value }),
      (err) =>
        port.postMessage({
          kind: "error",
          id,
          diagnostic: toDiagnostic(err, name, action),
        }),
    );
  };

  port.onmessage = ({ data }) => {
    switch (data.kind) {
      case "load":
        import(data.url).then(
          (mod: DriverModule) => {
            module = mod;
            if (typeof mod.manifest?.name === "string") {
              name = mod.manifest.name;
            }
            port.postMessage({
              kind: "loaded",
              manifest: structuredClone(mod.manifest),
            });
          },
          (err) => {
            const diagnostic = carriedDiagnostic(err);
            port.postMessage({
              kind: "load-failed",
              failure: diagnostic ? { diagnostic } : {
                name: String((err as Error | undefined)?.name ?? ""),
                message: errorMessage(err),
              },
            });
          },
        );
        return;
      case "create":
        answer(data.id, () => {
          if (typeof module?.default !== "function") {
            throw new Error(
              "the module has no default export (the driver factory)",
            );
          }
          const driver = module.default(data.instance, data.options);
          const id = nextDriver++;
          drivers.set(id, driver);
          const created: CreatedDriver = {
            driver: id,
            members: presentCapabilities(driver),
          };
          return Promise.resolve(created);
        }, "bind to the instance");
        return;
      case "call": {
        const driver = drivers.get(data.driver);
        const fn = driver && lookup(driver, data.method);
        answer(data.id, async () => {
          if (!fn) throw new Error(`the driver has no method ${data.method}`);
          const value = await fn(...data.args);
          if (data.method !== "start") return value;
          const vm = value as { pid?: number; exited: Promise<unknown> };
          Promise.resolve(vm.exited).then(
            (report) =>
              port.postMessage({
                kind: "exited",
                id: data.id,
                report: report as never,
              }),
            (err) =>
              port.postMessage({
                kind: "exited",
                id: data.id,
                report: {
                  code: null,
                  diagnostic: toDiagnostic(err, name, "run the VM"),
                },
              }),
          );
          return { pid: vm.pid };
        }, data.method);
        return;
      }
    }
  };
}

if (import.meta.main) serve(self as unknown as Port);
