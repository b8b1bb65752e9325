/** Template locators as Lima completes them (`bashCompleteTemplateNames` in Lima's `cmd/limactl/completion.go`). */
import { listTemplates } from "../template/search_path.ts";
import { type Completion, Directive } from "./directive.ts";

/**
 * `template:NAME` for every template of the store that starts with TO_COMPLETE. Internal
 * building blocks (`_images/…`) are left out, as Lima means to. File names stay possible
 * (a template can be a local file), so the directive is the shell's default.
 */
export async function completeTemplateNames(
  toComplete: string,
): Promise<Completion> {
  let names: string[] = [];
  try {
    names = (await listTemplates()).map((t) => `template:${t.name}`);
  } catch {
    // An unreadable template directory leaves file names to complete.
  }
  return {
    candidates: names.filter((name) => name.startsWith(toComplete)),
    directive: Directive.default,
  };
}
