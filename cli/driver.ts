import { Command } from "@commander-js/extra-typings";
import { withExamples } from "./help.ts";
import type { GlobalOptions } from "./app.ts";
import { LimaError } from "../core/errors.ts";
import { quote } from "../core/quote.ts";
import { limaHome } from "../core/store/paths.ts";
import { describePermissions } from "../plugins/permissions.ts";
import { permissionSummary } from "../plugins/registry.ts";
import type { Wiring } from "./wiring.ts";

/** `limactl driver list|install|remove`: built-in and third-party VM drivers. */
export function driverCommand(wiring: Wiring) {
  const command = withExamples(new Command("driver"), EXAMPLES)
    .summary("Manage VM drivers (built-in and third-party)");
  command.addCommand(
    new Command("list")
      .alias("ls")
      .summary("List drivers and where each comes from")
      .option("--json", "JSONify output")
      .action(async (opts) => {
        const drivers = await (await wiring.drivers()).list();
        if (opts.json) {
          for (const d of drivers) console.log(JSON.stringify(d));
          return;
        }
        const width = Math.max(4, ...drivers.map((d) => d.name.length)) + 4;
        console.log("NAME".padEnd(width) + "LOCATION");
        for (const d of drivers) console.log(d.name.padEnd(width) + d.location);
      }),
  );
  command.addCommand(
    new Command("install")
      .summary("Install a driver module from an https:// URL or a local path")
      .description(
        "Shows the permissions the driver asks for and, on a terminal, asks before installing it.",
      )
      .argument("<location>")
      .option(
        "--sha256 <hex>",
        "expected sha256 of the module (pins it before the first download)",
      )
      .action(async (location, opts, cmd) => {
        // The global `--yes` (`-y`) installs without asking, for scripts.
        const globals = cmd.optsWithGlobals() as GlobalOptions;
        const registry = await wiring.drivers();
        try {
          const { record, manifest } = await registry.install(location, {
            sha256: opts.sha256,
            confirm: (manifest, record) => {
              console.log(
                permissionSummary(manifest, record.location, limaHome()),
              );
              return Promise.resolve(
                globals.yes === true || askToInstall(record.name, globals),
              );
            },
          });
          console.log(
            `Installed driver ${
              quote(record.name)
            } (contract ${manifest.contractVersion}) from ${record.location}`,
          );
          if (record.sha256) console.log(`sha256: ${record.sha256}`);
          console.log(
            `It runs with these permissions: ${
              describePermissions(record.permissions, {
                limaHome: limaHome(),
                driverName: record.name,
              })
            }`,
          );
        } finally {
          await registry.close();
        }
      }),
  );
  command.addCommand(
    new Command("remove")
      .aliases(["rm", "uninstall"])
      .summary("Remove a third-party driver")
      .argument("<name>")
      .action(async (name) => {
        if (!(await (await wiring.drivers()).store.remove(name))) {
          throw new LimaError({
            summary: `driver ${quote(name)} is not installed`,
          });
        }
        console.log(`Removed driver ${quote(name)}`);
      }),
  );
  return command;
}

/** Asks on the terminal; without one (or with `--tty=false`), refuses with the way to install from a script. */
function askToInstall(name: string, globals: GlobalOptions): boolean {
  if (!Deno.stdin.isTerminal() || globals.tty === false) {
    throw new LimaError({
      summary: `driver ${quote(name)} was not installed`,
      detail: "there is no terminal to confirm it on",
      hint: "pass `--yes` to install it without asking",
    });
  }
  return confirm("Install?");
}

const EXAMPLES =
  `  Install a driver module, pinning its digest up front (it shows what the
  driver asks for and asks before installing; --yes installs without asking):
  $ limactl driver install https://example.com/lima-driver-foo/mod.ts --sha256 HEX

  Use it:
  $ limactl create --set '.vmType = "foo"' template:default`;
