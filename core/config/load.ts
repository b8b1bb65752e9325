/** Loading an instance's effective configuration: lima.yaml merged with `_config` defaults. */
import { join } from "node:path";
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import { configDir, InstanceFiles } from "../store/paths.ts";
import { readRegularText } from "./read_file.ts";
import { type DefaultVMType, fillDefaults } from "./fill.ts";
import { unusedParamProblem } from "./params.ts";
import { parseLimaYAML } from "./parse.ts";
import type { LimaYAML } from "./schema.ts";

export interface LoadOptions {
  /** The instance directory. */
  instDir: string;
  /** The instance name. */
  name: string;
  /** lima.yaml text to use instead of reading `INSTDIR/lima.yaml` (e.g. a template being created). */
  text?: string;
  /** Where TEXT came from, for messages; defaults to `INSTDIR/lima.yaml`. */
  file?: string;
  /** Receives warnings; defaults to the logger. */
  warn?: (msg: string) => void;
  /** The `vmType` of a configuration that sets none. */
  defaultVMType: DefaultVMType;
}

/**
 * Reads and parses lima.yaml, `_config/default.yaml` and `_config/override.yaml`, checks that
 * every `param` is used, and fills defaults. The result is not validated.
 */
export async function loadInstanceConfig(
  options: LoadOptions,
): Promise<LimaYAML> {
  const file = options.file ?? join(options.instDir, InstanceFiles.limaYAML);
  const text = options.text ?? await readRequired(file);
  const y = parseLimaYAML(text, {
    file: `main file ${quote(file)}`,
    warn: options.warn,
  });
  const dir = configDir();
  const defaults = await readOptional(
    join(dir, "default.yaml"),
    "default file",
    options.warn,
  );
  const overrides = await readOptional(
    join(dir, "override.yaml"),
    "override file",
    options.warn,
  );

  const unused = unusedParamProblem(y, {
    readFile: (path) => Deno.readTextFileSync(path),
  });
  if (unused) throw new LimaError({ file, summary: unused });

  return fillDefaults(y, {
    instDir: options.instDir,
    name: options.name,
    defaults,
    overrides,
    existingLimaVersion: await existingLimaVersion(options.instDir),
    warn: options.warn,
    defaultVMType: options.defaultVMType,
  });
}

/**
 * The Lima version that created the instance: undefined for a new instance (no lima.yaml yet),
 * "" for an instance without a `lima-version` file (created before that file existed).
 */
export async function existingLimaVersion(
  instDir: string,
): Promise<string | undefined> {
  try {
    await Deno.stat(join(instDir, InstanceFiles.limaYAML));
  } catch {
    return undefined;
  }
  try {
    return (await Deno.readTextFile(join(instDir, InstanceFiles.limaVersion)))
      .trim();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "";
    return undefined;
  }
}

async function readRequired(file: string): Promise<string> {
  try {
    return await readRegularText(file);
  } catch (err) {
    throw new LimaError({
      summary: `failed to read ${quote(file)}`,
      detail: (err as Error).message,
    }, { cause: err });
  }
}

async function readOptional(
  file: string,
  label: string,
  warn: ((msg: string) => void) | undefined,
): Promise<LimaYAML | undefined> {
  let text: string;
  try {
    text = await readRegularText(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw new LimaError({
      summary: `failed to read ${quote(file)}`,
      detail: (err as Error).message,
    }, { cause: err });
  }
  return parseLimaYAML(text, { file: `${label} ${quote(file)}`, warn });
}
