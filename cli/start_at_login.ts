import { Command } from "@commander-js/extra-typings";
import { LimaError } from "../core/errors.ts";
import { argsErrorMessage, withDeprecation } from "./help.ts";

/**
 * `limactl start-at-login [--enabled=false] [INSTANCE]` (Lima's `cmd/limactl/start-at-login.go`),
 * deprecated for `limactl autostart`: hidden from the help, and announced as deprecated on stderr
 * when run.
 */
export function startAtLoginCommand() {
  const command = new Command("start-at-login")
    .usage("INSTANCE")
    .summary("Register/Unregister an autostart file for the instance")
    .argument("[instance...]")
    .option(
      "--enabled",
      "Automatically start the instance when the user logs in",
      true,
    )
    .action(async (args, opts, cmd) => {
      // cobra's `MaximumNArgs(1)` wrapped as Lima's `WrapArgsError`.
      if (args.length > 1) {
        throw new LimaError({
          summary: argsErrorMessage(
            cmd,
            `accepts at most 1 arg(s), received ${args.length}`,
          ),
        });
      }
      const { startAtLogin } = await import("../core/autostart/commands.ts");
      await startAtLogin(args[0], { enabled: opts.enabled });
    });
  return withDeprecation(command, 'use "limactl autostart" instead');
}
