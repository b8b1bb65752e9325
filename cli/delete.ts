import { Command } from "@commander-js/extra-typings";

/** `limactl delete INSTANCE...` (aliases `remove`, `rm`). */
export function deleteCommand() {
  return new Command("delete")
    .usage("INSTANCE [INSTANCE, ...]")
    .aliases(["remove", "rm"])
    .summary("Delete an instance of Lima")
    .argument("<instance...>")
    .option("-f, --force", "Forcibly kill the processes")
    .action(async (names, opts) => {
      const { deleteInstances } = await import("../core/lifecycle/delete.ts");
      await deleteInstances(names, { force: opts.force });
    });
}
