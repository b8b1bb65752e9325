import { ifFound } from "./if_found.ts";

/** Whether a path exists (without following a final symlink); errors other than "not found" propagate. */
export async function exists(path: string): Promise<boolean> {
  return (await ifFound(Deno.lstat(path))) !== undefined;
}
