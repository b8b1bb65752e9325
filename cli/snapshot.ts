import { Command } from "@commander-js/extra-typings";
import { LimaError } from "../core/errors.ts";
import { logger } from "../core/log.ts";
import type { DriverRegistry } from "../plugins/registry.ts";
import { withExamples } from "./help.ts";
import type { Wiring } from "./wiring.ts";
import { writeStdout } from "../core/write_stdout.ts";

const snapshot = () => import("../core/lifecycle/snapshot.ts");

/**
 * Lima's checks before a snapshot command runs: cobra's `MinimumNArgs(1)` (further arguments
 * are ignored), then the warning of the parent's `PersistentPreRun`.
 */
function instanceArg(name: string | undefined): string {
  if (name === undefined) {
    throw new LimaError({
      summary: "requires at least 1 arg(s), only received 0",
    });
  }
  logger.warn("`limactl snapshot` is experimental");
  return name;
}

/** Runs FN with the driver registry, ending the Workers of third-party drivers after it. */
async function withDrivers(
  wiring: Wiring,
  fn: (drivers: DriverRegistry) => Promise<void>,
): Promise<void> {
  const drivers = await wiring.drivers();
  try {
    await fn(drivers);
  } finally {
    await drivers.close();
  }
}

type Change = "createSnapshot" | "applySnapshot" | "deleteSnapshot";

/** `create`, `apply` or `delete INSTANCE --tag TAG`. */
function changeCommand(
  wiring: Wiring,
  o: {
    name: string;
    alias: string;
    summary: string;
    example: string;
    run: Change;
  },
) {
  return withExamples(new Command(o.name), o.example)
    .alias(o.alias)
    .usage("INSTANCE")
    .summary(o.summary)
    .argument("[instance]")
    .allowExcessArguments()
    .option("--tag <string>", "Name of the snapshot")
    .action(async (name, opts) => {
      const instance = instanceArg(name);
      await withDrivers(wiring, async (drivers) => {
        await (await snapshot())[o.run](instance, opts.tag, { drivers });
      });
    });
}

/** `limactl snapshot create|apply|delete|list` (experimental in Lima). */
export function snapshotCommand(wiring: Wiring) {
  const command = withExamples(new Command("snapshot"), EXAMPLES)
    .summary("Manage instance snapshots");
  command.addCommand(changeCommand(wiring, {
    name: "apply",
    alias: "load",
    summary: "Apply (load) a snapshot",
    example: `  Apply (restore) a snapshot:
  $ limactl snapshot apply default --tag snap1`,
    run: "applySnapshot",
  }));
  command.addCommand(changeCommand(wiring, {
    name: "create",
    alias: "save",
    summary: "Create (save) a snapshot",
    example: `  Create a snapshot of an instance:
  $ limactl snapshot create default --tag snap1`,
    run: "createSnapshot",
  }));
  command.addCommand(changeCommand(wiring, {
    name: "delete",
    alias: "del",
    summary: "Delete (del) a snapshot",
    example: `  Delete a snapshot:
  $ limactl snapshot delete default --tag snap1`,
    run: "deleteSnapshot",
  }));
  command.addCommand(
    withExamples(
      new Command("list"),
      `  List all snapshots of an instance:
  $ limactl snapshot list default

  List only snapshot tags:
  $ limactl snapshot list default --quiet`,
    )
      .alias("ls")
      .usage("INSTANCE")
      .summary("List existing snapshots")
      .argument("[instance]")
      .allowExcessArguments()
      .option("-q, --quiet", "Only show tags")
      .action(async (name, opts) => {
        const instance = instanceArg(name);
        await withDrivers(wiring, async (drivers) => {
          const { listSnapshots } = await snapshot();
          writeStdout(
            await listSnapshots(instance, { drivers, quiet: opts.quiet }),
          );
        });
      }),
  );
  return command;
}

const EXAMPLES = `  List all snapshots of an instance:
  $ limactl snapshot list default

  Create a snapshot:
  $ limactl snapshot create default --tag snap1

  Apply (restore) a snapshot:
  $ limactl snapshot apply default --tag snap1

  Delete a snapshot:
  $ limactl snapshot delete default --tag snap1`;
