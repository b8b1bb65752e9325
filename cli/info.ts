import { Command } from "@commander-js/extra-typings";
import { collectInfo, type DriverEntry } from "../core/report/info.ts";
import { evaluateYq } from "../core/yq/mod.ts";

/** `info`: prints diagnostic information about this installation as indented JSON. */
export function infoCommand(listDrivers: () => Promise<DriverEntry[]>) {
  return new Command("info")
    .description("Show diagnostic information")
    .option("--yq <string>", "apply a yq expression to the output", ".")
    .action(async (opts) => {
      const info = await collectInfo({ drivers: await listDrivers() });
      for (const value of evaluateYq(info, opts.yq)) {
        console.log(
          typeof value === "string" ? value : JSON.stringify(value, null, 4),
        );
      }
    });
}
