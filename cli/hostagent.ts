import { Command } from "@commander-js/extra-typings";
import { LimaError } from "../core/errors.ts";
import { configureLogger } from "../core/log.ts";
import type { GlobalOptions } from "./app.ts";
import type { Wiring } from "./wiring.ts";

/** `limactl hostagent INSTANCE` (hidden): the background process `start` spawns. */
export function hostAgentCommand(wiring: Wiring) {
  return new Command("hostagent")
    .summary("Run hostagent")
    .argument("<instance>")
    .requiredOption("-p, --pidfile <file>", "PID file")
    .option("--socket <file>", "Path of hostagent socket")
    .option("--run-gui", "Run GUI synchronously within hostagent")
    .option(
      "--guestagent <file>",
      "Local file path (not URL) of lima-guestagent.OS-ARCH[.gz]",
    )
    .option(
      "--nerdctl-archive <file>",
      "Local file path (not URL) of nerdctl-full-VERSION-GOOS-GOARCH.tar.gz",
    )
    .option(
      "--progress",
      "Show provision script progress by tailing cloud-init logs",
    )
    .action(async (name, opts, cmd) => {
      if (!opts.socket) {
        throw new LimaError({
          summary: "socket must be specified (limactl version mismatch?)",
        });
      }
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      configureLogger({
        format: "json",
        level: globals.debug ? "trace" : "debug",
      });
      const { runHostAgent } = await import("../core/hostagent/hostagent.ts");
      const drivers = await wiring.drivers();
      try {
        await runHostAgent({
          name,
          pidFile: opts.pidfile,
          socket: opts.socket,
          drivers,
          debug: globals.debug,
          nerdctlArchive: opts.nerdctlArchive,
        });
      } finally {
        await drivers.close();
      }
    });
}
