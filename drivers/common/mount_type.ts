import type { Diagnostic } from "../../core/errors.ts";

/**
 * The error for a configured MOUNTTYPE that is not one of SUPPORTED (unset and `default`
 * are fine: `configure` picks one); DRIVER names who refuses it ("the vz driver").
 */
export function unsupportedMountType(
  mountType: string | null | undefined,
  supported: readonly string[],
  driver: string,
  hint = `use one of ${supported.join(", ")}`,
): Diagnostic | undefined {
  if (!mountType || mountType === "default" || supported.includes(mountType)) {
    return undefined;
  }
  return {
    severity: "error",
    summary: `mount type ${
      JSON.stringify(mountType)
    } is not supported by ${driver}`,
    path: "mountType",
    hint,
  };
}
