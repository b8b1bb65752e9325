import { Command, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { argsError } from "./help.ts";

/**
 * Hidden `generate-doc DIR` (Lima's `cmd/limactl/gendoc.go`): man pages (default) or the
 * Markdown of Lima's site (`--type docsy`) for every command, written into DIR.
 */
export function generateDocCommand() {
  const command = new Command("generate-doc")
    .usage("DIR")
    .description("Generate cli-reference pages")
    // cobra.MinimumNArgs(1): the first is the directory, the others are ignored.
    .argument("[dir...]")
    .option("--type <string>", "Output type  (man, docsy)", "man")
    .option("--output <string>", "Output directory", "")
    .option("--prefix <string>", "Install prefix", "")
    .action(async (dirs, opts, cmd) => {
      if (dirs.length === 0) {
        throw argsError(cmd, "requires at least 1 arg(s), only received 0");
      }
      let root: CommandUnknownOpts = cmd;
      while (root.parent) root = root.parent;
      const { generateDoc } = await import("./doc_pages.ts");
      await generateDoc(root, dirs[0], opts);
    });
  return command;
}
