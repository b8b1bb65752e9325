/**
 * What `limactl validate` and `template validate|copy --fill|yq` do with a template:
 * read it, embed everything, load it as a would-be instance and validate the result.
 */
import { join } from "node:path";
import { stringify } from "yaml";
import type { LimaYAML } from "../config/schema.ts";
import { errorMessage, LimaError } from "../errors.ts";
import { loadValidatedConfig } from "../instance/load_config.ts";
import { limaHome } from "../store/paths.ts";
import { validateInstanceName } from "../store/names.ts";
import { embedTemplate } from "./embed.ts";
import { type ReadOptions, readTemplate } from "./locator.ts";

export interface FilledTemplate {
  locator: string;
  /** The instance name the template would create. */
  name: string;
  /** The fully embedded, filled and validated configuration. */
  config: LimaYAML;
}

export interface FillTemplateOptions extends ReadOptions {
  /** Prepend `_config/base.yaml` like instance creation does (`--fill`). */
  defaultBase?: boolean;
  /** Checks `networks[].lima` against networks.yaml (see `LoadConfigOptions`). */
  networkModes?: () => Promise<Record<string, string>>;
}

/**
 * Reads LOCATOR, embeds all its bases and files, fills the defaults as for an instance named
 * after the template (its directory is the fake `LIMA_HOME/<name>.yaml`, as Lima does) and
 * validates it. Failures say which template failed.
 */
export async function fillTemplate(
  locator: string,
  options: FillTemplateOptions = {},
): Promise<FilledTemplate> {
  try {
    const read = await readTemplate(locator, options);
    validateInstanceName(read.name);
    const tmpl = await embedTemplate(read, {
      embedAll: true,
      defaultBase: options.defaultBase ?? false,
    });
    const config = await loadValidatedConfig({
      instDir: join(limaHome(), `${tmpl.name}.yaml`),
      name: tmpl.name,
      text: tmpl.text,
      file: locator,
      networkModes: options.networkModes,
    });
    return { locator, name: tmpl.name, config };
  } catch (err) {
    throw new LimaError({
      summary: `failed to validate YAML file ${JSON.stringify(locator)}`,
      detail: errorMessage(err),
    }, { cause: err });
  }
}

/** The filled configuration as YAML, the way `--fill` prints it. */
export function filledYAML(config: LimaYAML): string {
  return stringify(config, { indentSeq: false, lineWidth: 0 });
}
