/**
 * `limactl screenshot INSTANCE [-o FILE]` (Lima's `cmd/limactl/screenshot.go`): the running
 * instance's host agent captures the VM display through its driver.
 */
import { extname, join } from "node:path";
import { errorMessage, LimaError } from "../errors.ts";
import { requestScreenshot } from "../hostagent/screenshot_client.ts";
import { inspectExisting } from "../instance/inspect_existing.ts";
import { writeFileAtomic } from "../store/atomic_write.ts";
import { InstanceFiles } from "../store/paths.ts";
import type { ScreenshotFormat } from "../../plugins/contract.ts";

/** Where the screenshot was saved and its size. */
export interface SavedScreenshot {
  path: string;
  bytes: number;
}

/** Saves a screenshot of instance NAME to OUTPUT (default `NAME-screenshot.png`). */
export async function saveScreenshot(
  name: string,
  output = "",
): Promise<SavedScreenshot> {
  const inst = await inspectExisting(name);
  if (inst.status !== "Running") {
    throw new LimaError({
      summary: `instance "${name}" is not running (status: ${inst.status})`,
    });
  }
  const path = output || `${name}-screenshot.png`;
  const format = formatOf(path);
  let image: Uint8Array;
  try {
    image = await requestScreenshot(
      join(inst.dir, InstanceFiles.hostAgentSock),
      format,
    );
  } catch (err) {
    throw new LimaError({ summary: `screenshot failed: ${errorMessage(err)}` });
  }
  try {
    await writeFileAtomic(path, image, { mode: 0o644 });
  } catch (err) {
    throw new LimaError({
      summary: `failed to write "${path}": ${errorMessage(err)}`,
    });
  }
  return { path, bytes: image.length };
}

/** The format an output file's extension asks for, as Lima decides it. */
export function formatOf(path: string): ScreenshotFormat {
  const ext = extname(path);
  const format = ext.toLowerCase().slice(1);
  if (format === "png" || format === "bmp") return format;
  throw new LimaError({
    summary: `unsupported output extension "${ext}": must be .png or .bmp`,
  });
}
