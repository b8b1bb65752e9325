/** Looking up the instance a command wants to log in to, with Lima's errors when it cannot. */
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import { inspectInstance } from "../instance/instance.ts";
import type { Instance } from "../instance/record.ts";

/** The inspected instance NAME, which must exist (else Lima's hint to create it). */
export async function existingInstance(name: string): Promise<Instance> {
  const inst = await inspectInstance(name);
  if (!inst) {
    throw new LimaError({
      summary: `instance ${
        quote(name)
      } does not exist, run \`limactl create ${name}\` to create a new instance`,
    });
  }
  return inst;
}

/**
 * The inspected instance NAME, which must exist and be running. A stopped instance gets
 * Lima's hint to start it; any other state is reported with the instance's errors.
 */
export async function runningInstance(name: string): Promise<Instance> {
  const inst = await existingInstance(name);
  if (inst.status === "Stopped") {
    throw new LimaError({
      summary: `instance ${
        quote(name)
      } is stopped, run \`limactl start ${name}\` to start the instance`,
    });
  }
  if (inst.status !== "Running") {
    throw new LimaError({
      summary: `instance ${quote(name)} is not running (status ${
        quote(inst.status || "unknown")
      })`,
      detail: inst.errors.join("; ") || undefined,
    });
  }
  return inst;
}
