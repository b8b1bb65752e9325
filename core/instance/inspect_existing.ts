/** Looking up an instance that must exist, failing as Lima's `store.Inspect` does. */
import { join } from "node:path";
import { LimaError } from "../errors.ts";
import { instanceDir, InstanceFiles } from "../store/paths.ts";
import { inspectInstance } from "./instance.ts";
import type { Instance } from "./record.ts";

/** The existing instance NAME; Lima's `store.Inspect` error when it has no `lima.yaml`. */
export async function inspectExisting(name: string): Promise<Instance> {
  const inst = await inspectInstance(name);
  if (!inst) {
    const file = join(instanceDir(name), InstanceFiles.limaYAML);
    throw new LimaError({ summary: `open ${file}: no such file or directory` });
  }
  return inst;
}
