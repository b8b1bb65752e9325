import { Command, Option } from "@commander-js/extra-typings";

const collect = (value: string, previous: string[]) => [...previous, value];

/** `limactl list [INSTANCE...]` (alias `ls`). */
export function listCommand() {
  return new Command("list")
    .alias("ls")
    .summary("List instances of Lima")
    .description(`List instances of Lima.

The output can be presented in one of several formats, using the --format <format> flag.

  --format json  - Output in JSON format
  --format yaml  - Output in YAML format
  --format table - Output in table format
  --format '{{ <go template> }}' - If the format begins and ends with '{{ }}', then it is used as a go template.

Filtering instances:
  --filter EXPR  - Filter instances using yq expression (this is equivalent to --yq 'select(EXPR)')
                   Can be specified multiple times (combined with AND logic) and it works with all output formats.

These functions are available to go templates:

  indent <size>: add spaces to beginning of each line
  missing <message>: return message if the text is empty

The following legacy flags continue to function:
  --json - equal to '--format json'`)
    .argument("[instance...]")
    .addOption(
      new Option(
        "-f, --format <format>",
        "Output format, one of: json, yaml, table, go-template",
      ).default("table"),
    )
    .option("--list-fields", "List fields available for format")
    .option("--json", "Same as --format=json")
    .option("-q, --quiet", "Only show names")
    .option("--all-fields", "Show all fields")
    .option(
      "--yq <expression>",
      "Apply yq expression to each instance",
      collect,
      [] as string[],
    )
    .option(
      "-l, --filter <expression>",
      "Filter instances using yq expression (equivalent to --yq 'select(EXPR)')",
      collect,
      [] as string[],
    )
    .action(async (names, opts, cmd) => {
      const { listInstances } = await import("../core/list/list.ts");
      const tty = Deno.env.get("_LIMA_OUTPUT_IS_TTY")
        ? true
        : Deno.stdout.isTerminal();
      const encoder = new TextEncoder();
      await listInstances({
        names,
        format: cmd.getOptionValueSource("format") === "cli"
          ? opts.format
          : undefined,
        json: opts.json,
        quiet: opts.quiet,
        allFields: opts.allFields,
        listFields: opts.listFields,
        yq: opts.yq,
        filter: opts.filter,
        outputIsTTY: tty,
        terminalWidth: Deno.stdout.isTerminal()
          ? Deno.consoleSize().columns
          : undefined,
        write: (text) => {
          const bytes = encoder.encode(text);
          let written = 0;
          while (written < bytes.length) {
            written += Deno.stdout.writeSync(bytes.subarray(written));
          }
        },
      });
    });
}
