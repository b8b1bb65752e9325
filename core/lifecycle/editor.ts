/** Interactive editing of a configuration in the user's editor (`$VISUAL`, `$EDITOR`, …). */
import { join } from "node:path";
import { LimaError } from "../errors.ts";
import { readRegularText } from "../config/read_file.ts";
import { configDir } from "../store/paths.ts";
import { lookPath } from "../look_path.ts";

/** The first editor found: `$VISUAL`, `$EDITOR`, `editor`, `vim`, `vi`, `emacs`. */
export function detectEditor(): string | undefined {
  const candidates = [
    Deno.env.get("VISUAL"),
    Deno.env.get("EDITOR"),
    "editor",
    "vim",
    "vi",
    "emacs",
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const found = lookPath(candidate);
    if (found) return found;
  }
  return undefined;
}

/** Comment lines showing `_config/default.yaml` and `override.yaml`, which apply on top of what is edited. */
export async function editorWarningHeader(): Promise<string> {
  let header = "";
  for (const file of ["default.yaml", "override.yaml"]) {
    const path = join(configDir(), file);
    let text: string;
    try {
      text = await readRegularText(path);
    } catch {
      continue;
    }
    if (text === "") continue;
    header += `# WARNING: ${path} includes the following settings,\n`;
    header += "# which are applied before applying this YAML:\n";
    header += "# -----------\n";
    for (const line of text.replace(/\n$/, "").split("\n")) {
      header += line ? `# ${line}\n` : "#\n";
    }
    header += "# -----------\n\n";
  }
  return header;
}

/**
 * Opens CONTENT below HEADER in the editor and returns what was saved without the header,
 * or "" when the user saved only whitespace.
 */
export async function openEditor(
  content: string,
  header: string,
): Promise<string> {
  const editor = detectEditor();
  if (!editor) {
    throw new LimaError({
      summary: "could not detect a text editor binary, try setting $EDITOR",
    });
  }
  const path = await Deno.makeTempFile({ prefix: "lima-editor-" });
  try {
    await Deno.writeTextFile(path, header + content);
    const status = await new Deno.Command(editor, {
      args: [path],
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
    if (!status.success) {
      throw new LimaError({
        summary: `could not execute editor ${
          JSON.stringify(editor)
        } for a file ${JSON.stringify(path)}`,
        detail: `exit status ${status.code}`,
      });
    }
    const edited = await readRegularText(path);
    const body = edited.startsWith(header)
      ? edited.slice(header.length)
      : edited;
    return body.trim() === "" ? "" : body;
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}
