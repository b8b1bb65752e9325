import { Command } from "@commander-js/extra-typings";
import { withExamples } from "./help.ts";
import { writeAllSync } from "../core/write_stdout.ts";

/** `limactl watch [INSTANCE]...` (Lima's `cmd/limactl/watch.go`). */
export function watchCommand() {
  return withExamples(new Command("watch"), EXAMPLES)
    .usage("[INSTANCE]...")
    .summary("Watch events from instances")
    .description(`Watch events from Lima instances.

Events include status changes (starting, running, stopping), port forwarding
events, and other instance lifecycle events.

If no instance is specified, events from all instances are watched,
including newly created instances.

The command will continue watching until interrupted (Ctrl+C).`)
    .argument("[instance...]")
    .option("--json", "Output events as newline-delimited JSON")
    .option("--history", "Include historical events from before watch started")
    .option("--verbose", "Show verbose output")
    .action(async (names, opts) => {
      const [{ watchInstances }, { configureLogger }] = await Promise.all([
        import("../core/lifecycle/watch.ts"),
        import("../core/log.ts"),
      ]);
      // Lima shows only warnings and errors unless --verbose (also over --debug).
      if (!opts.verbose) configureLogger({ level: "warn" });
      // Until interrupted: Ctrl-C ends the process as it ends Lima's (by the signal).
      await watchInstances({
        names,
        json: opts.json,
        history: opts.history,
        propagateStderr: opts.verbose,
        write: (line) => writeAllSync(Deno.stdout, line + "\n"),
        status: (line) => writeAllSync(Deno.stderr, line + "\n"),
      });
    });
}

const EXAMPLES = `  # Watch events from all instances:
  $ limactl watch

  # Watch events from a specific instance:
  $ limactl watch default

  # Include historical events:
  $ limactl watch --history default

  # Show verbose output (host agent logs, etc.):
  $ limactl watch --verbose

  # Watch events in JSON format (for scripting):
  $ limactl watch --json default`;
