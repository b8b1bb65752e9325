import { Command, Option } from "@commander-js/extra-typings";
import { withExamples } from "./help.ts";
import { ExitCodeError } from "../core/errors.ts";
import { type GlobalOptions, isTty } from "./app.ts";
import { selectAfterSession } from "./select.ts";
import { startRequested } from "./start_prompt.ts";
import type { Wiring } from "./wiring.ts";

/** `limactl shell [flags] INSTANCE [COMMAND...]`. */
export function shellCommand(wiring: Wiring) {
  return withExamples(new Command("shell"), EXAMPLES)
    .summary("Execute shell in Lima")
    .description(`Execute shell in Lima

Hint: try --debug to show the detailed logs, if it seems hanging (mostly due to some SSH issue).
`)
    .usage("[flags] INSTANCE [COMMAND...]")
    .argument("[args...]")
    .option("--shell <string>", "Shell interpreter, e.g. /bin/bash")
    .option("--workdir <string>", "Working directory")
    .option("--reconnect", "Reconnect to the SSH session")
    .option("--preserve-env", "Propagate environment variables to the shell")
    .option("--start", "Start the instance if it is not already running")
    .option(
      "--sync <string>",
      "Copy a host directory to the guest and vice-versa upon exit",
    )
    .addOption(new Option("--instance <string>", "Instance name").hideHelp())
    .action(async (args, opts, cmd) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { runShell, shellTarget } = await import(
        "../core/ssh/run_shell.ts"
      );
      const { name } = shellTarget({ instance: opts.instance, args });
      const { existingInstance } = await import(
        "../core/ssh/running_instance.ts"
      );
      if (
        (await existingInstance(name)).status === "Stopped" &&
        startRequested(opts.start, globals)
      ) {
        const { startInstance } = await import("../core/lifecycle/start.ts");
        await startInstance(name, {
          drivers: await wiring.drivers(),
          debug: globals.debug,
        });
      }
      const code = await runShell({
        instance: opts.instance,
        args,
        shell: opts.shell,
        workdir: opts.workdir,
        preserveEnv: opts.preserveEnv,
        reconnect: opts.reconnect,
        sync: opts.sync,
        // Without --tty the changes of --sync come back unasked, as in Lima.
        select: isTty(globals) ? selectAfterSession : undefined,
      });
      if (code !== 0) throw new ExitCodeError(code);
    });
}

/** Options of the root command and of `shell` that take a value (`--opt VALUE`). */
const VALUE_OPTIONS = new Set([
  "--log-level",
  "--log-format",
  "--shell",
  "--workdir",
  "--instance",
  "--sync",
]);

/**
 * Makes the remote command of `limactl shell` opaque to option parsing: cobra stops parsing
 * flags at the first positional argument, commander does not, so `limactl shell NAME grep -v x`
 * would otherwise read `-v` as `--version`. A `--` is inserted after the instance name (or
 * before the first command word with `--instance`); other command lines are returned as they are.
 */
export function protectShellArgs(argv: string[]): string[] {
  let i = 0;
  const skipOptions = () => {
    while (
      i < argv.length && argv[i].startsWith("-") && argv[i] !== "-" &&
      argv[i] !== "--"
    ) {
      i += VALUE_OPTIONS.has(argv[i]) ? 2 : 1;
    }
  };
  skipOptions();
  if (argv[i] !== "shell") return argv;
  i++;
  let withInstance = false;
  while (
    i < argv.length && argv[i].startsWith("-") && argv[i] !== "-" &&
    argv[i] !== "--"
  ) {
    if (argv[i] === "--instance" || argv[i].startsWith("--instance=")) {
      withInstance = true;
    }
    i += VALUE_OPTIONS.has(argv[i]) ? 2 : 1;
  }
  // An explicit `--` already ends option parsing; the command after it is left as written.
  if (i >= argv.length || argv[i] === "--") return argv;
  const at = withInstance ? i : i + 1;
  return [...argv.slice(0, at), "--", ...argv.slice(at)];
}

const EXAMPLES = `  $ limactl shell default
  $ limactl shell default uname -a
  $ limactl shell --workdir /tmp default ls`;
