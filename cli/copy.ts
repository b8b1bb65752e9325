import { Command, Option } from "@commander-js/extra-typings";
import type { GlobalOptions } from "./app.ts";

/** `limactl copy SOURCE... TARGET` (alias `cp`). */
export function copyCommand() {
  return new Command("copy")
    .alias("cp")
    .summary("Copy files between host and guest")
    .description(`Copy files between host and guest

Prefix guest filenames with the instance name and a colon.`)
    .usage("SOURCE ... TARGET")
    .addHelpText(
      "after",
      `
Examples:
  $ limactl copy default:/etc/os-release .
  $ limactl copy -r ./dir default:/tmp/`,
    )
    .argument("<paths...>")
    .option("-r, --recursive", "Copy directories recursively")
    .option("-v, --verbose", "Enable verbose output")
    .addOption(
      new Option("--backend <backend>", "Copy backend (auto, rsync, scp)")
        .default("auto"),
    )
    .action(async (paths, opts, cmd) => {
      const { runCopy } = await import("../core/ssh/run_copy.ts");
      await runCopy(paths, {
        recursive: opts.recursive,
        verbose: opts.verbose ||
          (cmd.optsWithGlobals() as GlobalOptions).debug === true,
        backend: opts.backend,
      });
    });
}
