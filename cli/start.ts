import { Command, Option } from "@commander-js/extra-typings";
import { CREATE_FLAG_PREFIX, withExamples } from "./help.ts";
import { addEditFlags } from "./edit_flags.ts";
import { type GlobalOptions, isTty } from "./app.ts";
import type { Wiring } from "./wiring.ts";
import { selectOnTerminal } from "./select.ts";
import { printDriverNames, printTemplateNames } from "./create.ts";

/** `limactl start [INSTANCE|FILE.yaml|URL]`. */
export function startCommand(wiring: Wiring) {
  const command = withExamples(new Command("start"), EXAMPLES)
    .summary("Start an instance of Lima")
    .description(`Start an instance of Lima.
If the instance does not exist, open an editor for creating new one, with name "default"`)
    .usage("NAME|FILE.yaml|URL")
    .argument("[instance]")
    // Flags shared with create carry Lima's prefix; the help lists them apart.
    .option(
      "--name <string>",
      `${CREATE_FLAG_PREFIX}Override the instance name`,
    )
    .option(
      "--list-templates",
      `${CREATE_FLAG_PREFIX}List available templates and exit`,
    )
    .option(
      "--list-drivers",
      `${CREATE_FLAG_PREFIX}List available drivers and exit`,
    )
    .addOption(
      new Option(
        "--foreground",
        "Run the hostagent in the foreground",
      ).hideHelp(Deno.build.os === "windows"),
    )
    .option(
      "--timeout <duration>",
      "Duration to wait for the instance to be running before timing out",
      "10m0s",
    )
    .option(
      "--progress",
      "Show provision script progress by tailing cloud-init logs",
    );
  return addEditFlags(command, { commentPrefix: CREATE_FLAG_PREFIX }).action(
    async (arg, opts, cmd) => {
      if (opts.listTemplates) return await printTemplateNames();
      if (opts.listDrivers) return await printDriverNames(wiring);
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { startFromRequest, parseDuration } = await import(
        "../core/lifecycle/start.ts"
      );
      const {
        name,
        listTemplates: _list,
        listDrivers: _drivers,
        foreground,
        timeout,
        progress,
        ...flags
      } = opts;
      await startFromRequest({
        arg,
        name,
        flags,
        tty: isTty(globals),
        ttyExplicit: globals.tty !== undefined,
        drivers: await wiring.drivers(),
        select: selectOnTerminal,
        timeoutMs: parseDuration(timeout),
        foreground,
        progress,
        debug: globals.debug,
      });
    },
  );
}

const EXAMPLES =
  `  To create an instance "default" from the default Ubuntu template, and start it:
  $ limactl start

  To create an instance "default" from a template "docker", and start it:
  $ limactl start --name=default template:docker

  To start an existing instance "default":
  $ limactl start default`;
