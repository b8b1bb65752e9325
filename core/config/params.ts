/**
 * Rules for `param` (Lima's `pkg/limayaml/validate.go`): names, values, and that every key is
 * referenced.
 */
import { quote } from "../quote.ts";
import type { LimaYAML } from "./schema.ts";

export const PARAM_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/** Keys read by Lima itself, so they count as used without a reference in the file. */
const INTERNAL_KEYS = new Set(["internal_netplanOptional"]);

/** Problems with parameter names and values (empty when all are fine). */
export function paramProblems(
  param: Record<string, string> | null | undefined,
): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(param ?? {})) {
    if (!PARAM_NAME.test(key)) {
      problems.push(
        `param ${quote(key)} name does not match regex ${
          quote(PARAM_NAME.source)
        }`,
      );
    }
    for (const char of value) {
      if (char !== " " && char !== "\t" && !isPrintable(char)) {
        problems.push(
          `param ${quote(key)} value contains unprintable character ${
            JSON.stringify(char)
          }`,
        );
        break;
      }
    }
  }
  return problems;
}

/** Go's unicode.IsPrint without the space special case: letters, marks, numbers, punctuation, symbols. */
function isPrintable(char: string): boolean {
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(char);
}

export interface ParamUseOptions {
  /** Reads an ansible playbook named by `provision[i].playbook`; defaults to the file system. */
  readFile?: (path: string) => string;
}

/**
 * Why some key of Y's own `param` is not referenced (as `{{… .Param.K …}}` or `PARAM_K`)
 * in any provision, probe, copyToHost, portForward or mount; undefined when all are used.
 * Y must be the file as written, before defaults are filled and templates rendered.
 */
export function unusedParamProblem(
  y: LimaYAML,
  options: ParamUseOptions = {},
): string | undefined {
  const readFile = options.readFile ??
    ((path: string) => Deno.readTextFileSync(path));
  const texts: string[] = [];
  for (const p of y.provision ?? []) {
    for (
      const text of [
        p.script,
        p.content,
        p.expression,
        p.owner,
        p.path,
        p.permissions,
      ]
    ) {
      if (text) texts.push(text);
    }
    if (p.playbook) texts.push(readFile(p.playbook));
  }
  for (const p of y.probes ?? []) if (p.script) texts.push(p.script);
  for (const c of y.copyToHost ?? []) texts.push(c.guest ?? "", c.host ?? "");
  for (const r of y.portForwards ?? []) {
    texts.push(r.guestSocket ?? "", r.hostSocket ?? "");
  }
  for (const m of y.mounts ?? []) {
    texts.push(m.location ?? "", m.mountPoint ?? "");
  }

  for (const key of Object.keys(y.param ?? {})) {
    if (INTERNAL_KEYS.has(key)) continue;
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const reference = new RegExp(
      `{{[^}]*\\.Param\\.${escaped}[^}]*}}|\\bPARAM_${escaped}\\b`,
    );
    if (!texts.some((text) => reference.test(text))) {
      return `field \`param\` key ${
        quote(key)
      } is not used in any provision, probe, copyToHost, or portForward`;
    }
  }
  return undefined;
}
