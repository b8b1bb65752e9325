/** An instance's `message`: a Go template over the instance's data (Lima's `FormatData`). */
import type { LimaYAML } from "../config/schema.ts";
import type { DriverRules } from "../config/validate/mod.ts";
import { errorMessage, LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import { applyConfig, emptyInstance, type Instance } from "./record.ts";

/** The rendered `message` of the instance's configuration; throws when the Go template fails. */
export async function renderMessage(inst: Instance): Promise<string> {
  const message = inst.config?.message ?? "";
  // Most instances have no message: avoid loading the template engine for them.
  if (!message.includes("{{")) return message;
  const [{ renderGoTemplate }, { instanceTemplateData }] = await Promise.all([
    import("../text_template/mod.ts"),
    import("./text_template_data.ts"),
  ]);
  try {
    return renderGoTemplate(message, instanceTemplateData(inst), {
      name: "format",
    });
  } catch (err) {
    throw new LimaError({
      summary: `cannot execute template ${quote(message)}`,
      detail: errorMessage(err),
    }, { cause: err });
  }
}

/**
 * Checks that the `message` of configuration Y (from FILE, for a driver declaring the facts
 * DRIVER) renders for instance NAME in DIR, as it is listed right after creation (Stopped):
 * `create`, `edit` and `validate` refuse what would make the instance Broken.
 */
export async function checkMessage(
  y: LimaYAML,
  options: { name: string; dir: string; file: string; driver: DriverRules },
): Promise<void> {
  const inst = emptyInstance(options.name, options.dir);
  applyConfig(inst, y, options.driver);
  inst.status = "Stopped";
  try {
    await renderMessage(inst);
  } catch (err) {
    const { summary, detail } = (err as LimaError).diagnostic;
    throw new LimaError({ summary, detail, file: options.file }, {
      cause: err,
    });
  }
}
