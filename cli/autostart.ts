import { Command, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { LimaError } from "../core/errors.ts";
import { argsErrorMessage } from "./help.ts";

const autostart = () => import("../core/autostart/commands.ts");

/** cobra's `ExactArgs(1)` wrapped as Lima's `WrapArgsError`. */
function oneInstance(cmd: CommandUnknownOpts, args: string[]): string {
  if (args.length !== 1) {
    throw new LimaError({
      summary: argsErrorMessage(
        cmd,
        `accepts 1 arg(s), received ${args.length}`,
      ),
    });
  }
  return args[0];
}

/** `limactl autostart enable|disable INSTANCE` (Lima's `cmd/limactl/autostart.go`). */
export function autostartCommand() {
  const command = new Command("autostart")
    .summary("Manage automatic startup of Lima instances");
  command.addCommand(
    new Command("enable")
      .usage("INSTANCE")
      .summary("Register an instance to start automatically")
      .argument("[instance...]")
      .option(
        "--condition <string>",
        'When to start the instance: "login" (user session) or "boot" (system boot, macOS only)',
        "login",
      )
      .option(
        "--user <string>",
        "macOS username to run the instance as when --condition=boot (default: $USER)",
      )
      .action(async (args, opts, cmd) => {
        const name = oneInstance(cmd, args);
        await (await autostart()).autostartEnable(name, {
          condition: opts.condition,
          user: opts.user,
        });
      }),
  );
  command.addCommand(
    new Command("disable")
      .usage("INSTANCE")
      .summary("Unregister an instance from automatic startup")
      .argument("[instance...]")
      .action(async (args, _opts, cmd) => {
        const name = oneInstance(cmd, args);
        await (await autostart()).autostartDisable(name);
      }),
  );
  return command;
}
