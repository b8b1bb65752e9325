import { Command } from "@commander-js/extra-typings";
import { withExamples } from "./help.ts";
import { addEditFlags } from "./edit_flags.ts";
import { type GlobalOptions, isTty } from "./app.ts";
import type { Wiring } from "./wiring.ts";
import { selectOnTerminal } from "./select.ts";

/** `limactl create [FILE.yaml|URL|TEMPLATE-LOCATOR|-]`. */
export function createCommand(wiring: Wiring) {
  const command = withExamples(new Command("create"), EXAMPLES)
    .summary("Create an instance of Lima")
    .usage("FILE.yaml|URL")
    .argument("[template]")
    .option("--name <string>", "Override the instance name")
    .option("--list-templates", "List available templates and exit")
    .option("--list-drivers", "List available drivers and exit");
  return addEditFlags(command).action(async (arg, opts, cmd) => {
    if (opts.listTemplates) return await printTemplateNames();
    if (opts.listDrivers) return await printDriverNames(wiring);
    const globals = cmd.optsWithGlobals() as GlobalOptions;
    const { createFromRequest } = await import("../core/lifecycle/create.ts");
    await createFromRequest({
      arg,
      name: opts.name,
      flags: opts,
      tty: isTty(globals),
      ttyExplicit: globals.tty !== undefined,
      drivers: await wiring.drivers(),
      select: selectOnTerminal,
    });
  });
}

/** `--list-templates` of `create` and `start`: template names, one per line (internal ones hidden). */
export async function printTemplateNames(): Promise<void> {
  const { listTemplates } = await import("../core/template/search_path.ts");
  for (const t of await listTemplates()) console.log(t.name);
}

/** `--list-drivers` of `create` and `start`: the drivers this host can run, one per line. */
export async function printDriverNames(wiring: Wiring): Promise<void> {
  const drivers = await wiring.drivers();
  for (const name of await drivers.namesForThisHost()) console.log(name);
}

const EXAMPLES =
  `  To create an instance "default" from the default Ubuntu template:
  $ limactl create

  To create an instance "default" from a template "docker":
  $ limactl create --name=default template:docker

  To create an instance "default" with modified parameters:
  $ limactl create --cpus=2 --memory=2

  To create an instance "default" with yq expressions:
  $ limactl create --set='.cpus = 2 | .memory = "2GiB"'
  Note: Some yq operators are restricted. See 'limactl help yq-restrictions'.

  To create an instance "default" with a template parameter:
  $ limactl create --name=default --param containerdSnapshotter=false template:docker

  To see the template list:
  $ limactl create --list-templates

  To create an instance "default" from a local file:
  $ limactl create --name=default /usr/local/share/lima/templates/fedora.yaml

  To create an instance "default" from a remote URL (use carefully, with a trustable source):
  $ limactl create --name=default https://raw.githubusercontent.com/lima-vm/lima/master/templates/alpine.yaml

  To create an instance "local" from a template passed to stdin (--name parameter is required):
  $ cat template.yaml | limactl create --name=local -`;
