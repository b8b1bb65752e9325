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
      const [{ prune }, { pruneTemporaries }] = await Promise.all([
        import("../core/download/prune.ts"),
        import("../core/lifecycle/prune_temporaries.ts"),
      ]);
      await pruneTemporaries();
      await prune({ keepReferred: opts.keepReferred ?? false });
    });
}
