/**
 * `limactl completion bash|zsh|fish|powershell [--no-descriptions]`: cobra's completion
 * command, with its help texts, printing scripts that call back `limactl __complete`.
 */
import { Command } from "@commander-js/extra-typings";
import { bashScript } from "./bash.ts";
import { fishScript } from "./fish.ts";
import { powershellScript } from "./powershell.ts";
import { zshScript } from "./zsh.ts";
import { writeStdout } from "../../core/write_stdout.ts";

interface Shell {
  name: string;
  help: string;
  script: (descriptions: boolean) => string;
}

const SHELLS: Shell[] = [
  {
    name: "bash",
    help: `Generate the autocompletion script for the bash shell.

This script depends on the 'bash-completion' package.
If it is not installed already, you can install it via your OS's package manager.

To load completions in your current shell session:

	source <(limactl completion bash)

To load completions for every new session, execute once:

#### Linux:

	limactl completion bash > /etc/bash_completion.d/limactl

#### macOS:

	limactl completion bash > $(brew --prefix)/etc/bash_completion.d/limactl

You will need to start a new shell for this setup to take effect.
`,
    script: bashScript,
  },
  {
    name: "fish",
    help: `Generate the autocompletion script for the fish shell.

To load completions in your current shell session:

	limactl completion fish | source

To load completions for every new session, execute once:

	limactl completion fish > ~/.config/fish/completions/limactl.fish

You will need to start a new shell for this setup to take effect.
`,
    script: fishScript,
  },
  {
    name: "powershell",
    help: `Generate the autocompletion script for powershell.

To load completions in your current shell session:

	limactl completion powershell | Out-String | Invoke-Expression

To load completions for every new session, add the output of the above command
to your powershell profile.
`,
    script: powershellScript,
  },
  {
    name: "zsh",
    help: `Generate the autocompletion script for the zsh shell.

If shell completion is not already enabled in your environment you will need
to enable it.  You can execute the following once:

	echo "autoload -U compinit; compinit" >> ~/.zshrc

To load completions in your current shell session:

	source <(limactl completion zsh)

To load completions for every new session, execute once:

#### Linux:

	limactl completion zsh > "\${fpath[1]}/_limactl"

#### macOS:

	limactl completion zsh > $(brew --prefix)/share/zsh/site-functions/_limactl

You will need to start a new shell for this setup to take effect.
`,
    script: zshScript,
  },
];

function shellCommand(shell: Shell) {
  return new Command(shell.name)
    .summary(`Generate the autocompletion script for ${shell.name}`)
    .description(shell.help)
    .helpOption("-h, --help", `help for ${shell.name}`)
    .option("--no-descriptions", "disable completion descriptions")
    .action((opts) => writeStdout(shell.script(opts.descriptions)));
}

/** `limactl completion`: without a known shell it shows its help (see `registerCommands`). */
export function completionCommand() {
  const completion = new Command("completion")
    .summary("Generate the autocompletion script for the specified shell")
    .description(
      `Generate the autocompletion script for limactl for the specified shell.
See each sub-command's help for details on how to use the generated script.
`,
    )
    .helpOption("-h, --help", "help for completion");
  for (const shell of SHELLS) completion.addCommand(shellCommand(shell));
  return completion;
}
