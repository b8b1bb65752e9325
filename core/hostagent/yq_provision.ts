/**
 * One `yq` provision evaluated on the host with limactl's yq engine, for guests without
 * mikefarah's yq (Lima evaluates them with the yq built into its guest agent); boot.sh stages
 * the file and installs the result (see `guest_yq.ts`).
 */
import type { LimaYAML } from "../config/schema.ts";
import { evaluateYamlStream, formatYqResults } from "../yq/mod.ts";

export interface YqProvision {
  /** The provision's index as the seed names it (`provision.yq/ID`). */
  id: string;
  path: string;
  expression: string;
}

/** The `yq` provisions of CONFIG, with the ids the seed gives them. */
export function yqProvisions(config: LimaYAML): YqProvision[] {
  return (config.provision ?? []).flatMap((p, i) =>
    p.mode === "yq"
      ? [{
        id: String(i).padStart(8, "0"),
        path: p.path ?? "",
        expression: p.expression ?? "",
      }]
      : []
  );
}

/**
 * The new text of the file P edits, in FORMAT (as boot.sh chose it), from its current text
 * INPUT; undefined INPUT means the file does not exist yet and the expression starts from null.
 */
export function evaluateYqProvision(
  p: YqProvision,
  format: string,
  input: string | undefined,
): string {
  if (format !== "yaml" && format !== "json") {
    throw new Error(
      `the format ${format} needs yq in the guest; limactl's yq knows yaml and json`,
    );
  }
  const results = evaluateYamlStream(input ?? "", p.expression, {
    nullInput: input === undefined,
    file: p.path,
  });
  return formatYqResults(results, { output: format });
}
