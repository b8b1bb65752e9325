/**
 * `limactl __complete WORDS…` and `limactl __completeNoDesc WORDS…`: the hidden callback of
 * the completion scripts, cobra's protocol. It prints one candidate a line (a tab before its
 * description), then `:N`, the directive bits; the scripts Lima's `limactl completion`
 * generates call it the same way.
 */
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { Directive } from "../../core/completion/directive.ts";
import { writeAllSync } from "../../core/write_stdout.ts";
import { answer } from "./answer.ts";
import { completionTable, type DriverNames } from "./completers.ts";
import { completionTree } from "./tree.ts";

/**
 * Whether descriptions are wanted: not for `__completeNoDesc`, and not when
 * `LIMACTL_COMPLETION_DESCRIPTIONS` (else `COBRA_COMPLETION_DESCRIPTIONS`) is false, as in cobra.
 */
function wantsDescriptions(requestCommand: string): boolean {
  if (requestCommand === "__completeNoDesc") return false;
  const setting = Deno.env.get("LIMACTL_COMPLETION_DESCRIPTIONS") ||
    Deno.env.get("COBRA_COMPLETION_DESCRIPTIONS");
  return !/^(0|f|false)$/i.test(setting ?? "");
}

/** One output line per candidate: no description when not wanted, one line, trimmed. */
export function candidateLine(
  candidate: string,
  descriptions: boolean,
): string {
  const kept = descriptions ? candidate : candidate.split("\t")[0];
  return kept.split("\n")[0].trim();
}

/** cobra's names of the directive bits, for the note on stderr. */
function directiveNames(directive: number): string {
  const names = Object.entries(Directive)
    .filter(([, bit]) => bit !== 0 && (directive & bit) !== 0)
    .map(([name]) =>
      `ShellCompDirective${name[0].toUpperCase()}${name.slice(1)}`
    );
  return names.length ? names.join(", ") : "ShellCompDirectiveDefault";
}

/**
 * Answers the request ARGS (`__complete` and the words after `limactl`, the last one being
 * the word under the cursor) for the command tree PROGRAM: the answer on stdout, notes on stderr.
 */
export async function answerCompletionRequest(
  program: CommandUnknownOpts,
  drivers: DriverNames,
  args: string[],
): Promise<void> {
  const [requestCommand, ...words] = args;
  const tree = completionTree(program, completionTable(drivers));
  const { completion, error } = await answer(
    tree,
    words.length ? words : [""],
  );
  const descriptions = wantsDescriptions(requestCommand);
  const lines = completion.candidates.map((c) =>
    candidateLine(c, descriptions)
  );
  writeAllSync(
    Deno.stdout,
    [...lines, `:${completion.directive}`, ""].join("\n"),
  );
  writeAllSync(
    Deno.stderr,
    (error ? `[Error] ${error}\n` : "") +
      `Completion ended with directive: ${
        directiveNames(completion.directive)
      }\n`,
  );
}
