import { Command } from "@commander-js/extra-typings";
import { logger } from "../core/log.ts";

/** `limactl screenshot INSTANCE [-o FILE]`. */
export function screenshotCommand() {
  return new Command("screenshot")
    .usage("INSTANCE [flags]")
    .summary("Capture a screenshot of the VM display")
    .description("Capture a screenshot of the VM display")
    .argument("<instance>")
    .option(
      "-o, --output <string>",
      "Output path; extension must be .png or .bmp (default: INSTANCE-screenshot.png)",
    )
    .action(async (name, opts) => {
      const { saveScreenshot } = await import(
        "../core/lifecycle/screenshot.ts"
      );
      const saved = await saveScreenshot(name, opts.output);
      logger.info(
        `Screenshot saved to ${
          JSON.stringify(saved.path)
        } (${saved.bytes} bytes)`,
      );
    });
}
