/**
 * The menu `create` and `start` show on a terminal before creating an instance (Lima's
 * `chooseNextCreatorState` in `cmd/limactl/start.go`): proceed, review the configuration in an
 * editor, start over from another template, or exit. The CLI only draws the menu (a `Select`);
 * what each answer leads to is decided here. Nothing is written: the caller creates the
 * instance from the template this returns.
 */
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { PromptInterrupted, type Select } from "../prompt.ts";
import { quote } from "../quote.ts";
import { DEFAULT_INSTANCE } from "../store/names.ts";
import { embedTemplate } from "../template/embed.ts";
import { readTemplate, type Template } from "../template/locator.ts";
import { listTemplates } from "../template/search_path.ts";
import { applyYq } from "../yq/mod.ts";
import { editorWarningHeader, openEditor } from "./editor.ts";

/** Lima's options, in Lima's order: the answer is an index into this list. */
export const CREATOR_OPTIONS = [
  "Proceed with the current configuration",
  "Open an editor to review or modify the current configuration",
  "Choose another template (docker, podman, archlinux, fedora, ...)",
  "Exit",
] as const;

const PROCEED = 0;
const OPEN_EDITOR = 1;
const OTHER_TEMPLATE = 2;
const EXIT = 3;

const EMPTY_FILE_ABORTS =
  "Aborting, as requested by saving the file with empty content";

/** How the menu talks to the user. */
export interface CreatorUI {
  select: Select;
  /** Opens CONTENT below HEADER in an editor (default: the user's, as `limactl edit` does). */
  edit?: (content: string, header: string) => Promise<string>;
}

/**
 * Applies the edit flags' yq expression YQ to TMPL (again after each change of template) and
 * asks what next until the user proceeds or has edited it. Throws an error of exit code 0
 * when the user exits or saves an empty file, as Lima's `exitSuccessError` does.
 */
export async function chooseNextCreatorState(
  tmpl: Template,
  yq: string,
  ui: CreatorUI,
): Promise<Template> {
  for (;;) {
    tmpl = applyExpression(tmpl, yq);
    const answer = await askNext(tmpl.name, ui.select);
    switch (answer) {
      case undefined:
      case PROCEED:
        return tmpl;
      case OPEN_EDITOR:
        return await reviewInEditor(tmpl, ui.edit ?? openEditor);
      case OTHER_TEMPLATE:
        tmpl = await chooseTemplate(tmpl.name, ui.select);
        continue;
      case EXIT:
        throw exitSuccess("Choosing to exit");
      default:
        throw new LimaError({ summary: `unexpected answer ${answer}` });
    }
  }
}

/** A choice to stop that is no failure: the process exits 0 (Lima's `exitSuccessError`). */
function exitSuccess(message: string): LimaError {
  return new LimaError({ summary: message }, { exitCode: 0 });
}

function applyExpression(tmpl: Template, yq: string): Template {
  if (yq === "") return tmpl;
  try {
    return { ...tmpl, text: applyYq(tmpl.text, yq) };
  } catch (err) {
    logger.warn("Failed to evaluate yq expression", {
      error: errorMessage(err),
    });
    throw err;
  }
}

/**
 * The index chosen in the main menu, or undefined when no menu could be shown: Lima then
 * proceeds with a warning rather than failing a create that needs no answer.
 */
async function askNext(
  name: string,
  select: Select,
): Promise<number | undefined> {
  try {
    return await select(`Creating an instance ${quote(name)}`, [
      ...CREATOR_OPTIONS,
    ]);
  } catch (err) {
    if (err instanceof PromptInterrupted) {
      throw new LimaError({ summary: "Interrupted by user" });
    }
    logger.warn("Failed to open TUI", { error: errorMessage(err) });
    return undefined;
  }
}

/** Lima's editor header for a new instance; the file warnings follow it. */
function editorHeader(name: string): string {
  let header =
    `# Review and modify the following configuration for Lima instance ${
      quote(name)
    }.\n`;
  if (name === DEFAULT_INSTANCE) {
    header += "# - In most cases, you do not need to modify this file.\n";
  }
  header +=
    "# - To cancel starting Lima, just save this file as an empty file.\n\n";
  return header;
}

/**
 * The template as edited, its bases embedded again (the user may have added one). Validation
 * is left to creation, which saves rejected YAML as `lima.REJECTED.yaml` on a terminal.
 */
async function reviewInEditor(
  tmpl: Template,
  edit: NonNullable<CreatorUI["edit"]>,
): Promise<Template> {
  const header = editorHeader(tmpl.name) + await editorWarningHeader();
  const text = await edit(tmpl.text, header);
  if (text === "") {
    logger.info(EMPTY_FILE_ABORTS);
    throw exitSuccess(EMPTY_FILE_ABORTS);
  }
  return await embedTemplate({ ...tmpl, text }, {
    embedAll: true,
    defaultBase: true,
  });
}

/** The template the user picks from the list `--list-templates` prints, for instance NAME. */
async function chooseTemplate(name: string, select: Select): Promise<Template> {
  const templates = await listTemplates();
  const answer = await select(
    "Choose a template",
    templates.map((t) => t.name),
  );
  const chosen = templates[answer];
  if (!chosen) {
    throw new LimaError({
      summary: `invalid answer ${answer} for ${templates.length} entries`,
    });
  }
  const read = await readTemplate(`template:${chosen.name}`);
  return await embedTemplate({ ...read, name }, {
    embedAll: true,
    defaultBase: true,
  });
}
