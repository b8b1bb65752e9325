/** The paths of `limactl copy`: `PATH` on the host, or `INSTANCE:PATH` in a guest. */
import { LimaError } from "../errors.ts";

/** A command-line path: on the host, or in instance `instance`. */
export interface CopyPath {
  instance?: string;
  path: string;
}

/** Parses `PATH` or `INSTANCE:PATH`; more than one colon is an error. */
export function parseCopyPath(arg: string): CopyPath {
  const parts = arg.split(":");
  if (parts.length === 1) return { path: arg };
  if (parts.length === 2) return { instance: parts[0], path: parts[1] };
  throw new LimaError({
    summary: `path ${JSON.stringify(arg)} contains multiple colons`,
  });
}
