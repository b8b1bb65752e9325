/**
 * `limactl edit` (Lima's `cmd/limactl/edit.go`): change an instance's lima.yaml (or any lima.yaml
 * file) with the edit flags or in an editor. Comments survive; the result is validated before it
 * replaces the file atomically, and a stopped instance is locked while it is edited.
 */
import { basename, join, resolve } from "node:path";
import type { EditFlags } from "../config/edit_flags.ts";
import type { LimaYAML } from "../config/schema.ts";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { writeFileAtomic } from "../store/atomic_write.ts";
import { inspectInstance } from "../instance/instance.ts";
import { loadValidatedConfig } from "../instance/load_config.ts";
import { networkModes } from "../network/networks_yaml.ts";
import { lockInstance } from "../store/lock.ts";
import { DEFAULT_INSTANCE, isValidInstanceName } from "../store/names.ts";
import { InstanceFiles, limaHome } from "../store/paths.ts";
import { editorWarningHeader, openEditor } from "./editor.ts";
import { saveRejectedYAML } from "./rejected_yaml.ts";
import { readRegularText } from "../config/read_file.ts";

export interface EditRequest {
  /** An instance name or a path to a YAML file; default `default`. */
  arg?: string;
  /** The edit-flag values as parsed by `addEditFlags`. */
  flags: EditFlags;
  /** Whether an editor may be opened when no edit flag is given. */
  tty: boolean;
  /** Opens the editor; replaceable in tests. */
  edit?: (content: string, header: string) => Promise<string>;
}

export interface EditResult {
  /** The instance edited, when the argument named one. */
  instance?: string;
  /** Whether the file was rewritten. */
  changed: boolean;
}

/** The yq expression (joined with ` | `) of the edit flags for an existing configuration TEXT. */
export async function editExpression(
  text: string,
  file: string,
  flags: EditFlags,
): Promise<string> {
  const [{ editFlagExpressions }, { parseLimaYAML }] = await Promise.all([
    import("../config/edit_flags.ts"),
    import("../config/parse.ts"),
  ]);
  const declaredParams = flags.param === undefined
    ? []
    : Object.keys(parseLimaYAML(text, { file }).param ?? {});
  return editFlagExpressions(flags, { isNew: false, declaredParams }).join(
    " | ",
  );
}

/** Throws when NEW_TEXT sets a disk smaller than the current configuration's. */
export async function checkDiskNotShrunk(
  current: LimaYAML,
  newText: string,
  file: string,
): Promise<void> {
  const [{ parseLimaYAML }, { parseSize }] = await Promise.all([
    import("../config/parse.ts"),
    import("../config/units.ts"),
  ]);
  const next = parseLimaYAML(newText, { file, warn: () => {} }).disk;
  if (!next || !current.disk) return;
  if (parseSize(next) < parseSize(current.disk)) {
    throw new LimaError({
      summary:
        `field \`disk\`: shrinking the disk (${current.disk} --> ${next}) is not supported`,
    });
  }
}

/**
 * Validates NEW_TEXT as the configuration of instance NAME in INSTDIR (saving it as
 * `lima.REJECTED.yaml` when invalid) and returns its filled form.
 */
export async function validateEdited(
  options: {
    instDir: string;
    name: string;
    newText: string;
    current?: LimaYAML;
    file: string;
  },
): Promise<LimaYAML> {
  try {
    const y = await loadValidatedConfig({
      instDir: options.instDir,
      name: options.name,
      text: options.newText,
      networkModes,
    });
    if (options.current) {
      await checkDiskNotShrunk(options.current, options.newText, options.file);
    }
    return y;
  } catch (err) {
    throw await saveRejectedYAML(options.newText, err);
  }
}

/** `limactl edit`: see the module comment. */
export async function editInstance(req: EditRequest): Promise<EditResult> {
  const arg = req.arg || DEFAULT_INSTANCE;
  if (!isValidInstanceName(arg)) return await editFile(resolve(arg), req);
  await using _lock = await lockInstance(arg);
  const inst = await inspectInstance(arg);
  if (!inst) {
    throw new LimaError({ summary: `instance ${quote(arg)} not found` });
  }
  if (inst.status === "Running") {
    throw new LimaError({ summary: "cannot edit a running instance" });
  }
  const file = join(inst.dir, InstanceFiles.limaYAML);
  const text = await readRegularText(file);
  const header = `# Please edit the following configuration for Lima instance ${
    quote(arg)
  }\n`;
  const newText = await newContent(text, file, header, req);
  if (newText === undefined) return { instance: arg, changed: false };
  await validateEdited({
    instDir: inst.dir,
    name: arg,
    newText,
    current: inst.config,
    file,
  });
  await writeFileAtomic(file, newText, { mode: 0o644 });
  logger.info(`Instance ${quote(arg)} configuration edited`);
  return { instance: arg, changed: true };
}

async function editFile(file: string, req: EditRequest): Promise<EditResult> {
  const text = await readRegularText(file);
  const header = `# Please edit the following configuration ${quote(file)}\n`;
  const newText = await newContent(text, file, header, req);
  if (newText === undefined) return { changed: false };
  const name = basename(file).replace(/\.ya?ml$/i, "");
  await validateEdited({
    instDir: join(limaHome(), `${name}.yaml`),
    name,
    newText,
    file,
  });
  await writeFileAtomic(file, newText, { mode: 0o644 });
  return { changed: true };
}

/** The edited text, or undefined (after saying why) when there is nothing to save. */
async function newContent(
  text: string,
  file: string,
  header: string,
  req: EditRequest,
): Promise<string | undefined> {
  const expression = await editExpression(text, file, req.flags);
  let newText = "";
  if (expression !== "") {
    const { applyYq } = await import("../yq/mod.ts");
    newText = applyYq(text, expression, file);
  } else if (req.tty) {
    const fullHeader = header + "# and an empty file will abort the edit.\n\n" +
      await editorWarningHeader();
    newText = await (req.edit ?? openEditor)(text, fullHeader);
  }
  if (newText === "") {
    logger.info("Aborting, as requested by saving the file with empty content");
    return undefined;
  }
  if (newText === text) {
    logger.info("Aborting, no changes made to the instance");
    return undefined;
  }
  return newText;
}
