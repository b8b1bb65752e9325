/**
 * The `Driver` members that most drivers leave empty, as Lima's own drivers do
 * (`pkg/driver/driver.go`; qemu and vz have no extra state to create or delete and report
 * status through PID files). A driver extends this class and overrides what it does
 * differently; implementing `Driver` whole stays just as valid.
 */
import type { Diagnostic } from "../core/errors.ts";
import type { LimaYAML } from "../core/config/schema.ts";
import type {
  Driver,
  DriverInfo,
  InstanceStatus,
  RunningVM,
} from "./contract.ts";

export abstract class DriverDefaults implements Driver {
  abstract configure(): Promise<LimaYAML>;
  abstract validate(): Promise<Diagnostic[]>;
  abstract createDisk(): Promise<void>;
  abstract start(): Promise<RunningVM>;
  abstract stop(): Promise<void>;
  abstract info(): Promise<DriverInfo>;

  /** No driver state outside the instance directory. */
  create(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing outside the instance directory to remove. */
  delete(): Promise<void> {
    return Promise.resolve();
  }

  /** `""`: the PID files tell the status. */
  inspectStatus(): Promise<InstanceStatus> {
    return Promise.resolve("");
  }

  /** The guest's SSH port is forwarded to the host's loopback. */
  sshAddress(): Promise<string> {
    return Promise.resolve("127.0.0.1");
  }

  /** No boot scripts beyond Lima's own. */
  bootScripts(): Promise<Record<string, string>> {
    return Promise.resolve({});
  }
}
