/** Instance names as Lima completes them (`bashCompleteInstanceNames` in Lima's `cmd/limactl/completion.go`). */
import { instanceNames } from "../instance/instance.ts";
import { type Completion, Directive } from "./directive.ts";

/**
 * Every instance of `LIMA_HOME`, unfiltered (the shell matches what was typed), and no file
 * names; when `LIMA_HOME` cannot be read, nothing and the shell's default (file names).
 */
export function completeInstanceNames(): Completion {
  try {
    return { candidates: instanceNames(), directive: Directive.noFileComp };
  } catch {
    return { candidates: [], directive: Directive.default };
  }
}
