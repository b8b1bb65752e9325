/** The filled and validated configuration of an instance (what status and every command use). */
import { join } from "node:path";
import type { LimaYAML } from "../config/schema.ts";
import { InstanceFiles, limaHome } from "./paths.ts";

export interface LoadConfigOptions {
  instDir: string;
  name: string;
  /** lima.yaml text to use instead of the file (a new or edited configuration). */
  text?: string;
  /** Receives warnings; defaults to the logger. */
  warn?: (msg: string) => void;
}

/**
 * Loads lima.yaml with `_config/default.yaml` and `override.yaml`, fills the defaults and
 * validates the result; throws on the first problem. The config engine is imported on
 * first use so that commands which never read a configuration start faster.
 */
export async function loadValidatedConfig(
  options: LoadConfigOptions,
): Promise<LimaYAML> {
  const [{ loadInstanceConfig }, { validateLimaYAML }, { registeredVMTypes }] =
    await Promise.all([
      import("../config/load.ts"),
      import("../config/validate.ts"),
      import("../config/vm_types.ts"),
    ]);
  const file = join(options.instDir, InstanceFiles.limaYAML);
  const y = await loadInstanceConfig({
    instDir: options.instDir,
    name: options.name,
    text: options.text,
    file,
    warn: options.warn,
  });
  const vmTypes = await registeredVMTypes(limaHome(), y.vmType);
  validateLimaYAML(y, { file, warn: options.warn, vmTypes });
  return y;
}
