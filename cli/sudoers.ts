import { Command } from "@commander-js/extra-typings";
import { withExamples } from "./help.ts";
import { joinPath, limaHome } from "../core/store/paths.ts";

const SOCKET_VMNET_DOCS =
  "https://lima-vm.io/docs/config/network/vmnet/#socket_vmnet";

/** networks.yaml for the help text; like Lima, empty when LIMA_HOME cannot be found. */
function networksYAML(): string {
  try {
    return joinPath(limaHome(), "_config", "networks.yaml");
  } catch {
    return "";
  }
}

/** `limactl sudoers [--check [SUDOERSFILE]]` (macOS only). */
export function sudoersCommand() {
  return withExamples(new Command("sudoers"), EXAMPLES)
    .summary("Generate the content of the /etc/sudoers.d/lima file")
    .description(
      `Generate the content of the /etc/sudoers.d/lima file for enabling vmnet.framework support (socket_vmnet) on macOS.
The content is written to stdout, NOT to the file.
This command must not run as the root user.
See ${SOCKET_VMNET_DOCS} for the usage.`,
    )
    .usage("[--check [SUDOERSFILE-TO-CHECK]]")
    .argument("[sudoersfile]")
    .option(
      "--check",
      `check that the sudoers file is up-to-date with \`${networksYAML()}\``,
    )
    .action(async (file, opts) => {
      const { sudoers } = await import("../core/network/sudoers.ts");
      const text = await sudoers(file === undefined ? [] : [file], {
        check: opts.check,
      });
      await Deno.stdout.write(new TextEncoder().encode(text));
    });
}

/** Lima's examples (`cmd/limactl/sudoers.go`), unindented as there. */
const EXAMPLES = `
To generate the /etc/sudoers.d/lima file:
$ limactl sudoers | sudo tee /etc/sudoers.d/lima

To validate the existing /etc/sudoers.d/lima file:
$ limactl sudoers --check /etc/sudoers.d/lima`;
