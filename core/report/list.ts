/**
 * `limactl list` (Lima's `cmd/limactl/list.go`): instance records as a table, JSON, YAML or
 * Go-template text.
 */
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import {
  brokenInstance,
  inspectInstance,
  type InspectOptions,
  instanceDirEntries,
  instanceDirExists,
  instanceNames,
} from "../instance/instance.ts";
import type { Instance } from "../instance/record.ts";
import {
  instanceDir,
  InstanceFiles,
  joinPath,
  limaHome,
} from "../store/paths.ts";
import {
  hostFields,
  INSTANCE_FIELDS,
  instanceJSON,
  instanceTemplateData,
} from "../instance/text_template_data.ts";
import { formatTable } from "./table.ts";

export interface ListOptions {
  /** Instances to list, in this order; all when empty. */
  names?: string[];
  /** `--format` when given explicitly: `table`, `json`, `yaml` or a Go template. */
  format?: string;
  json?: boolean;
  quiet?: boolean;
  allFields?: boolean;
  listFields?: boolean;
  /** `--yq` expressions, applied in order. */
  yq?: string[];
  /** `--filter` expressions, all of which must select an instance. */
  filter?: string[];
  /** Whether stdout is a terminal (colours, pretty JSON, column hiding). */
  outputIsTTY?: boolean;
  /** Terminal width when known. */
  terminalWidth?: number;
  /** Receives the output. */
  write: (text: string) => void;
  inspect?: InspectOptions;
}

/** Lists instances as asked; warnings go to the log. Throws `unmatched instances` after printing the others. */
export async function listInstances(options: ListOptions): Promise<void> {
  const args = options.names ?? [];
  const yq = [...(options.yq ?? [])];
  const filter = options.filter ?? [];
  const formatGiven = options.format !== undefined;
  let format = options.format ?? "table";
  if (options.json) {
    if (formatGiven) {
      throw new LimaError({
        summary: "option --json conflicts with option --format",
      });
    }
    format = "json";
  }
  if (options.listFields && formatGiven) {
    throw new LimaError({
      summary: "option --list-fields conflicts with option --format",
    });
  }
  if (yq.length > 0) {
    if (formatGiven && format !== "json" && format !== "yaml") {
      throw new LimaError({
        summary: "option --yq only works with --format json or yaml",
      });
    }
    if (options.listFields) {
      throw new LimaError({
        summary: "option --list-fields conflicts with option --yq",
      });
    }
  }
  if (filter.length > 0 && options.listFields) {
    throw new LimaError({
      summary: "option --list-fields conflicts with option --filter",
    });
  }
  if (options.quiet && format !== "table") {
    throw new LimaError({
      summary: "option --quiet can only be used with '--format table'",
    });
  }
  if (options.listFields) {
    options.write([...INSTANCE_FIELDS].sort().join("\n") + "\n");
    return;
  }

  const all = instanceNames();
  // Each directory is listed once; the listing answers the check below and inspection.
  const entries = new Map(all.map((name) => [
    name,
    instanceDirEntries(instanceDir(name)),
  ]));
  warnAboutDirectoriesWithoutConfig(entries);
  if (args.length === 0 && all.length === 0) {
    logger.warn(
      "No instance found. Run `limactl create` to create an instance.",
    );
    return;
  }
  let unmatched = false;
  let names = all;
  if (args.length > 0) {
    names = [];
    for (const arg of args) {
      if (all.includes(arg)) {
        names.push(arg);
      } else {
        logger.warn(`No instance matching ${arg} found.`);
        unmatched = true;
      }
    }
  }
  const finish = () => {
    if (unmatched) throw new LimaError({ summary: "unmatched instances" });
  };

  if (options.quiet && yq.length === 0 && filter.length === 0) {
    options.write(names.map((n) => n + "\n").join(""));
    return finish();
  }

  const inspected = await Promise.all(names.map(async (name) => {
    const inst = await inspectInstance(name, {
      ...options.inspect,
      files: entries.get(name),
    });
    if (inst) return inst;
    const file = joinPath(instanceDir(name), InstanceFiles.limaYAML);
    if (await instanceDirExists(name)) {
      return brokenInstance(name, `open ${file}: no such file or directory`);
    }
    logger.warn(
      `Skipping instance ${
        quote(name)
      }: ${file} does not exist (being cloned or deleted?)`,
    );
    if (args.length > 0) unmatched = true;
    return undefined;
  }));
  let instances = inspected.filter((i): i is Instance => i !== undefined);

  if (filter.length > 0) {
    const { evaluateYq } = await import("../yq/mod.ts");
    const expression = filter.map((f) => `select(${f})`).join(" | ");
    instances = instances.filter((inst) => {
      try {
        return evaluateYq(plain(instanceJSON(inst)), expression).length > 0;
      } catch (err) {
        throw new LimaError({
          summary: `failed to apply filter ${quote(expression)}`,
          detail: errorText(err instanceof LimaError ? err.cause ?? err : err),
        });
      }
    });
  }

  if (options.quiet && yq.length === 0) {
    options.write(instances.map((i) => i.name + "\n").join(""));
    return finish();
  }

  for (const inst of instances) {
    if (inst.errors.length > 0) {
      logger.warn(`instance ${quote(inst.name)} has errors`, {
        errors: inst.errors,
      });
    }
  }

  if (yq.length > 0 && !formatGiven) format = "json";
  if (options.quiet) yq.push(".name");

  if (format === "table") {
    options.write(formatTable(instances, {
      allFields: options.allFields,
      terminalWidth: options.outputIsTTY ? options.terminalWidth : undefined,
      homeDir: Deno.env.get("HOME"),
      hostArch: Deno.build.arch,
    }));
  } else if (format === "json" || format === "yaml") {
    options.write(
      await formatDocuments(
        instances,
        format,
        yq,
        options.outputIsTTY ?? false,
      ),
    );
  } else {
    options.write(await formatTemplate(instances, format));
  }
  finish();
}

/** Lima warns once when some instance directory has no `lima.yaml`. */
function warnAboutDirectoriesWithoutConfig(
  entries: Map<string, ReadonlySet<string> | undefined>,
): void {
  for (const [name, files] of entries) {
    if (!files?.has(InstanceFiles.limaYAML)) {
      const file = joinPath(instanceDir(name), InstanceFiles.limaYAML);
      logger.warn(
        `The directory ${
          quote(limaHome())
        } does not look like a valid Lima directory: stat ${file}: no such file or directory`,
      );
      return;
    }
  }
}

/** A JSON-only copy of VALUE (drops undefined, applies `toJSON`). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function isEmptyMap(value: unknown): boolean {
  return value !== null && typeof value === "object" &&
    !Array.isArray(value) && Object.keys(value).length === 0;
}

/**
 * Removes empty objects at any depth, as Lima does for its JSON output. Plain loops:
 * a short-lived process runs this code cold, where every closure and temporary array counts.
 */
export function deleteEmptyObjects(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) {
      const cleaned = deleteEmptyObjects(v);
      if (!isEmptyMap(cleaned)) out.push(cleaned);
    }
    return out;
  }
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(record)) {
    const cleaned = deleteEmptyObjects(record[k]);
    if (!isEmptyMap(cleaned)) out[k] = cleaned;
  }
  return out;
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== "object";
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Lima reports yq's own message for a failing `--yq`/`--filter` expression. */
function yqFailure(err: unknown): LimaError {
  const cause = err instanceof LimaError ? err.cause : undefined;
  return new LimaError({ summary: errorText(cause ?? err) }, { cause: err });
}

async function formatDocuments(
  instances: Instance[],
  format: "json" | "yaml",
  yq: string[],
  tty: boolean,
) {
  const expression = yq.join(" | ");
  const evaluate = expression
    ? (await import("../yq/mod.ts")).evaluateYq
    : (value: unknown, _expression: string) => [value];
  const results: unknown[] = [];
  const host = hostFields();
  for (const inst of instances) {
    const record = plain({ ...instanceJSON(inst), ...host });
    let values: unknown[];
    try {
      values = expression ? evaluate(record, expression) : [record];
    } catch (err) {
      throw yqFailure(err);
    }
    for (const v of values) {
      results.push(format === "json" ? deleteEmptyObjects(v) : v);
    }
  }
  const colorize = tty ? await import("./colorize.ts") : undefined;
  if (format === "json") {
    return results.map((v) => {
      if (isScalar(v)) {
        return `${typeof v === "string" ? v : JSON.stringify(v)}\n`;
      }
      return (colorize?.colorizeJSON(v, 4) ?? JSON.stringify(v)) + "\n";
    }).join("");
  }
  const { stringify } = await import("yaml");
  const docs = results.map((v) => {
    if (isScalar(v)) {
      return `${typeof v === "string" ? v : JSON.stringify(v)}\n`;
    }
    return stringify(deleteEmptyObjects(v), { lineWidth: 0 });
  });
  const text = docs.join("---\n");
  return colorize?.colorizeYAML(text) ?? text;
}

async function formatTemplate(
  instances: Instance[],
  format: string,
): Promise<string> {
  const [{ parseGoTemplate, renderGoTemplate }, { limaFuncs }] = await Promise
    .all([
      import("../text_template/mod.ts"),
      import("../text_template/funcs.ts"),
    ]);
  try {
    parseGoTemplate(format, { name: "format", funcs: limaFuncs });
  } catch (err) {
    throw new LimaError({
      summary: "invalid go template",
      detail: errorText(err),
    });
  }
  let out = "";
  for (const inst of instances) {
    const data = instanceTemplateData(inst);
    data.Message = inst.message.replace(/\n$/, "");
    try {
      out +=
        renderGoTemplate(format, data, { name: "format", funcs: limaFuncs }) +
        "\n";
    } catch (err) {
      throw new LimaError({ summary: errorText(err) });
    }
  }
  return out;
}
