/**
 * Inspecting a downloaded image before it becomes an instance disk: `qemu-img info`, ISO9660
 * detection, and the refusal of images that would make the hypervisor open other files.
 */
import { LimaError } from "../../core/errors.ts";
import { quote } from "../../core/quote.ts";
import { runText } from "./process.ts";

/** The part of `qemu-img info --output=json` that matters here. */
export interface ImageInfo {
  format: string;
  virtualSize: number;
  backingFile?: string;
  /** A qcow2 external data file. */
  dataFile?: string;
}

export async function imageInfo(
  qemuImg: string,
  path: string,
): Promise<ImageInfo> {
  const text = await runText(qemuImg, [
    "info",
    "--output=json",
    "--force-share",
    path,
  ], `inspect ${path}`);
  const info = JSON.parse(text) as Record<string, unknown>;
  return {
    format: String(info["format"]),
    virtualSize: Number(info["virtual-size"]),
    backingFile: (info["full-backing-filename"] ?? info["backing-filename"]) as
      | string
      | undefined,
    dataFile: ((info["format-specific"] as
      | { data?: { "data-file"?: string } }
      | undefined)?.data)?.["data-file"],
  };
}

/**
 * Refuses images that would make QEMU open other files: a backing file (an image can name
 * any host file as its backing file and so expose it to the guest) or an external data file.
 */
export function checkBaseImage(
  info: ImageInfo,
  path: string,
  formats: string[],
): void {
  if (info.backingFile) {
    throw new LimaError({
      summary: `image ${quote(path)} has a backing file, which is not allowed`,
      detail: `backing file: ${info.backingFile}`,
      hint: "flatten it with `qemu-img convert` first",
    });
  }
  if (info.dataFile) {
    throw new LimaError({
      summary: `image ${
        quote(path)
      } has an external data file, which is not allowed`,
      detail: `data file: ${info.dataFile}`,
    });
  }
  if (!formats.includes(info.format)) {
    throw new LimaError({
      summary: `image ${quote(path)} has the unsupported format ${
        JSON.stringify(info.format)
      }`,
      detail: `supported formats: ${formats.join(", ")}`,
    });
  }
}
