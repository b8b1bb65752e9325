import { Command } from "@commander-js/extra-typings";

/** `limactl prune [--keep-referred]`. */
export function pruneCommand() {
  return new Command("prune")
    .description("Prune garbage objects")
    .option(
      "--keep-referred",
      "Keep objects that are referred by some instances or templates",
    )
    .action(async (opts) => {
      const { prune } = await import("../core/download/prune.ts");
      await prune({ keepReferred: opts.keepReferred ?? false });
    });
}
