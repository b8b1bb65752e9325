/** Moving a fully prepared directory into place without ever replacing an existing one. */
import { LimaError } from "../errors.ts";
import { exists } from "../exists.ts";

/**
 * Renames directory FROM to TO unless TO exists (rename(2) would silently replace an empty
 * directory). Instance commands hold the name's lock, so the check and the rename do not race.
 */
export async function renameNoReplace(
  from: string,
  to: string,
  message: () => string,
): Promise<void> {
  if (await exists(to)) throw new LimaError({ summary: message() });
  try {
    await Deno.rename(from, to);
  } catch (err) {
    if (
      err instanceof Deno.errors.AlreadyExists ||
      /not empty|exists/i.test(String(err))
    ) {
      throw new LimaError({ summary: message() }, { cause: err });
    }
    throw err;
  }
}
