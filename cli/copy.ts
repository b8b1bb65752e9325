import { Command, Option } from "@commander-js/extra-typings";
import { withExamples } from "./help.ts";
import type { GlobalOptions } from "./app.ts";

/** `limactl copy SOURCE... TARGET` (alias `cp`). */
export function copyCommand() {
  return withExamples(new Command("copy"), EXAMPLES)
    .alias("cp")
    .summary("Copy files between host and guest")
    .description(`Copy files between host and guest

Prefix guest filenames with the instance name and a colon.

Backends:
  auto   - Automatically selects the best available backend (rsync preferred, falls back to scp)
  rsync  - Uses rsync for faster transfers with resume capability (requires rsync on both host and guest)
  scp    - Uses scp for reliable transfers (always available)

Not to be confused with 'limactl clone'.
`)
    .usage("SOURCE ... TARGET")
    .argument("<paths...>")
    .option("-r, --recursive", "Copy directories recursively")
    .option("-v, --verbose", "Enable verbose output")
    .addOption(
      new Option("--backend <string>", "Copy backend (scp|rsync|auto)")
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

const EXAMPLES = `  # Copy file from guest to host (auto backend)
  limactl copy default:/etc/os-release .

  # Copy file from host to guest with verbose output
  limactl copy -v myfile.txt default:/tmp/

  # Copy directory recursively using rsync backend
  limactl copy --backend=rsync -r ./mydir default:/tmp/

  # Copy using scp backend specifically
  limactl copy --backend=scp default:/var/log/app.log ./logs/

  # Copy multiple files
  limactl copy file1.txt file2.txt default:/tmp/`;
