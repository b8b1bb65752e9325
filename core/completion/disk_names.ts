/** Disk names as Lima completes them (`bashCompleteDiskNames` in Lima's `cmd/limactl/completion.go`). */
import { diskNames } from "../store/disks.ts";
import { type Completion, Directive } from "./directive.ts";

/** Every disk of `LIMA_HOME/_disks` and no file names; file names when it cannot be read. */
export async function completeDiskNames(): Promise<Completion> {
  try {
    return { candidates: await diskNames(), directive: Directive.noFileComp };
  } catch {
    return { candidates: [], directive: Directive.default };
  }
}
