/** Keeping a configuration the user edited by hand when it fails validation. */
import { errorMessage, LimaError } from "../errors.ts";
import { quote } from "../quote.ts";

export const REJECTED_YAML = "lima.REJECTED.yaml";

/** Saves TEXT as `./lima.REJECTED.yaml` and returns the error to throw for CAUSE. */
export async function saveRejectedYAML(
  text: string,
  cause: unknown,
): Promise<LimaError> {
  const reason = cause instanceof LimaError
    ? cause.message
    : errorMessage(cause);
  try {
    await Deno.writeTextFile(REJECTED_YAML, text, { mode: 0o644 });
  } catch (err) {
    return new LimaError({
      summary: `the YAML is invalid, attempted to save the buffer as ${
        quote(REJECTED_YAML)
      } but failed`,
      detail: `${errorMessage(err)}: ${reason}`,
    }, { cause });
  }
  return new LimaError({
    summary: `the YAML is invalid, saved the buffer as ${quote(REJECTED_YAML)}`,
    detail: reason,
  }, { cause });
}
