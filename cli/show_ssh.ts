import { Command } from "@commander-js/extra-typings";

/** `limactl show-ssh [--format cmd|args|options|config] INSTANCE` (deprecated). */
export function showSSHCommand() {
  return new Command("show-ssh")
    .usage("[flags] INSTANCE")
    .summary("Show the SSH command line (DEPRECATED; use `ssh -F` instead)")
    .description(`Show the SSH command line (DEPRECATED; use \`ssh -F\` instead)

Prefer \`ssh -F ~/.lima/INSTANCE/ssh.config lima-INSTANCE\`.`)
    .argument("<instance>")
    .option(
      "-f, --format <string>",
      "Format: cmd, args, options, config",
      "cmd",
    )
    .action(async (name, opts) => {
      const { showSSH } = await import("../core/ssh/show_ssh.ts");
      await Deno.stdout.write(
        new TextEncoder().encode(await showSSH(name, opts.format)),
      );
    });
}
