import { LimaError } from "../../core/errors.ts";

/** Fails unless ARCH (unset: the host's) is the host architecture, for a VM type that cannot emulate. */
export function requireNativeArch(
  arch: string | null | undefined,
  vmType: string,
): void {
  const guest = arch ?? Deno.build.arch;
  if (guest !== Deno.build.arch) {
    throw new LimaError({
      summary:
        `vmType ${vmType} only runs native guests (${Deno.build.arch}), got ${
          JSON.stringify(guest)
        }`,
      path: "arch",
    });
  }
}
