/**
 * The subset of Go's `text/template` that Lima exposes to users: `limactl list --format`,
 * the `message` field and the host/guest template variables of lima.yaml.
 *
 * Data model: a plain object acts as a Go struct (a missing field is an execution error),
 * a `Map` as a Go map (a missing key renders `<no value>`), an array as a slice; `null` is nil.
 * `range`, `index` and `len` also accept plain objects like maps, since parsed YAML is objects.
 *
 * @module
 */
import { builtins, type TemplateFunc } from "./builtins.ts";
import { executeTemplate } from "./exec.ts";
import { parseTemplates } from "./parse.ts";

export { GoTemplateError } from "./error.ts";
export type { TemplateFunc } from "./builtins.ts";

/** Parse options. */
export interface TemplateOptions {
  /** Template name used in error messages (Lima's list uses "format"); default "template". */
  name?: string;
  /** Extra functions; a name shadows the built-in of the same name. */
  funcs?: Record<string, (...args: unknown[]) => unknown>;
}

/** A parsed template, ready to execute many times. */
export interface GoTemplate {
  /** Renders the template with `data` as dot; throws GoTemplateError on execution errors. */
  execute(data: unknown): string;
}

/** Parses once; throws GoTemplateError with Go-like messages ("template: format:1: unexpected "}" in operand"). */
export function parseGoTemplate(
  text: string,
  options: TemplateOptions = {},
): GoTemplate {
  const name = options.name ?? "template";
  const funcs: Record<string, TemplateFunc> = { ...options.funcs };
  const funcNames = new Set([...Object.keys(builtins), ...Object.keys(funcs)]);
  const trees = parseTemplates(text, { name, funcNames });
  return {
    execute: (data) => executeTemplate({ trees, name, funcs, data }),
  };
}

/** parse + execute in one call. */
export function renderGoTemplate(
  text: string,
  data: unknown,
  options?: TemplateOptions,
): string {
  return parseGoTemplate(text, options).execute(data);
}
