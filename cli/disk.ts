import { Command } from "@commander-js/extra-typings";
import { withExamples } from "./help.ts";
import { writeStdout } from "../core/write_stdout.ts";

const disk = () => import("../core/lifecycle/additional_disks.ts");

/** `limactl disk create|list|delete|unlock|resize|import`. */
export function diskCommand() {
  const command = withExamples(new Command("disk"), EXAMPLES)
    .summary("Lima disk management");
  command.addCommand(
    new Command("create")
      .usage("DISK")
      .summary("Create a Lima disk")
      .argument("<disk>")
      .requiredOption("--size <string>", "Configure the disk size")
      .option("--format <string>", "Specify the disk format", "qcow2")
      .action(async (name, opts) => {
        await (await disk()).diskCreate(name, opts);
      }),
  );
  command.addCommand(
    new Command("list")
      .alias("ls")
      .summary("List existing Lima disks")
      .argument("[disk...]")
      .option("--json", "JSONify output")
      .action(async (names, opts) => {
        await (await disk()).diskList(names, {
          json: opts.json,
          write: writeStdout,
        });
      }),
  );
  command.addCommand(
    new Command("delete")
      .usage("DISK [DISK, ...]")
      .aliases(["remove", "rm"])
      .summary("Delete one or more Lima disks")
      .argument("<disk...>")
      .option("-f, --force", "Force delete")
      .action(async (names, opts) => {
        await (await disk()).diskDelete(names, opts);
      }),
  );
  command.addCommand(
    new Command("unlock")
      .usage("DISK [DISK, ...]")
      .summary("Unlock one or more Lima disks")
      .argument("<disk...>")
      .action(async (names) => {
        await (await disk()).diskUnlock(names);
      }),
  );
  command.addCommand(
    new Command("resize")
      .usage("DISK")
      .summary("Resize existing Lima disk")
      .argument("<disk>")
      .requiredOption("--size <string>", "Disk size")
      .action(async (name, opts) => {
        await (await disk()).diskResize(name, opts);
      }),
  );
  command.addCommand(
    new Command("import")
      .usage("DISK FILE")
      .summary("Import an existing disk to Lima")
      .argument("<disk>")
      .argument("<file>")
      .action(async (name, file) => {
        await (await disk()).diskImport(name, file);
      }),
  );
  return command;
}

const EXAMPLES = `  Create a disk:
  $ limactl disk create DISK --size SIZE [--format qcow2]

  List existing disks:
  $ limactl disk ls

  Delete a disk:
  $ limactl disk delete DISK

  Resize a disk:
  $ limactl disk resize DISK --size SIZE`;
