/** What validation reports: one problem per field, thrown together as one error. */
import { LimaError } from "../../errors.ts";

/** One problem found by validation. */
export interface Problem {
  /** The field path, e.g. `mounts[1].mountPoint`. */
  path: string;
  message: string;
}

/** Thrown by `validateLimaYAML`; the message lists every problem, one per line. */
export class ValidationError extends LimaError {
  constructor(readonly problems: Problem[], file?: string) {
    super({ file, summary: problems.map((p) => p.message).join("\n") });
    this.name = "ValidationError";
  }
}
