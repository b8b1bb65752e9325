import { Command } from "@commander-js/extra-typings";

/** `limactl protect INSTANCE...`. */
export function protectCommand() {
  return new Command("protect")
    .usage("INSTANCE [INSTANCE, ...]")
    .summary("Protect an instance to prohibit accidental removal")
    .description(
      `Protect an instance to prohibit accidental removal via the 'limactl delete' command.
The instance is not being protected against removal via '/bin/rm', Finder, etc.`,
    )
    .argument("<instance...>")
    .action(async (names) => {
      const { protectInstances } = await import("../core/lifecycle/protect.ts");
      await protectInstances(names);
    });
}
