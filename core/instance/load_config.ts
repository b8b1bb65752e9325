/** The filled and validated configuration of an instance (what status and every command use). */
import { join } from "node:path";
import type { LimaYAML } from "../config/schema.ts";
import { checkTextSize } from "../config/read_file.ts";
import { quote } from "../quote.ts";
import { builtinDrivers } from "../../plugins/builtin_driver_facts.ts";
import { InstanceFiles, limaHome } from "../store/paths.ts";

export interface LoadConfigOptions {
  instDir: string;
  name: string;
  /**
   * lima.yaml text to use instead of the file: a new or edited configuration (or a template
   * being validated), whose `message` must render too.
   */
  text?: string;
  /** Names TEXT in messages; defaults to `INSTDIR/lima.yaml`. */
  file?: string;
  /** Receives warnings; defaults to the logger. */
  warn?: (msg: string) => void;
  /**
   * The networks of `_config/networks.yaml` by name → mode, read only when the configuration
   * joins a `lima:` network (as Lima reads the file only then); without it such networks are
   * not checked.
   */
  networkModes?: () => Promise<Record<string, string>>;
}

/**
 * Loads lima.yaml with `_config/default.yaml` and `override.yaml`, fills the defaults and
 * validates the result; throws on the first problem. A stored configuration whose `message`
 * does not render still loads (the instance is listed as Broken, with its configuration).
 * The config engine is imported on first use so that commands which never read a
 * configuration start faster.
 */
export async function loadValidatedConfig(
  options: LoadConfigOptions,
): Promise<LimaYAML> {
  const [
    { loadInstanceConfig },
    { validateLimaYAML },
    { registeredDriverRules },
    { checkMessage },
  ] = await Promise.all([
    import("../config/load.ts"),
    import("../config/validate/mod.ts"),
    import("../../plugins/driver_rules.ts"),
    import("./message.ts"),
  ]);
  if (options.text !== undefined) {
    checkTextSize(
      options.text,
      `the configuration of instance ${quote(options.name)}`,
    );
  }
  const file = options.file ?? join(options.instDir, InstanceFiles.limaYAML);
  const y = await loadInstanceConfig({
    instDir: options.instDir,
    name: options.name,
    text: options.text,
    file,
    warn: options.warn,
    defaultVMType: builtinDrivers().defaultVMType,
  });
  const drivers = await registeredDriverRules(limaHome(), y.vmType);
  const networkModes = options.networkModes && y.networks?.some((n) => n.lima)
    ? await options.networkModes()
    : undefined;
  validateLimaYAML(y, { file, warn: options.warn, drivers, networkModes });
  if (options.text !== undefined) {
    await checkMessage(y, {
      name: options.name,
      dir: options.instDir,
      file,
      driver: drivers[y.vmType ?? ""] ?? {},
    });
  }
  return y;
}
