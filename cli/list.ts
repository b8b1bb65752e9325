import { Command, Option } from "@commander-js/extra-typings";
import {
  LIST_FLAGS,
  type ListFlag,
  listInvocation,
  runList,
} from "./list_flags.ts";

const collect = (value: string, previous: string[]) => [...previous, value];

/** `limactl list [INSTANCE...]` (alias `ls`). */
export function listCommand() {
  const command = new Command("list")
    .usage("[flags] [INSTANCE]...")
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
    .argument("[instance...]");
  for (const flag of LIST_FLAGS) command.addOption(commanderOption(flag));
  return command.action(async (names, _opts, cmd) => {
    await runList(
      listInvocation(
        names,
        cmd.opts(),
        cmd.getOptionValueSource("format") === "cli",
      ),
    );
  });
}

function commanderOption(flag: ListFlag): Option {
  const short = flag.short ? `-${flag.short}, ` : "";
  const value = flag.value ? ` ${flag.value}` : "";
  const option = new Option(`${short}--${flag.name}${value}`, flag.description);
  if (flag.multiple) {
    return option.default([] as string[]).argParser(collect);
  }
  return flag.default === undefined ? option : option.default(flag.default);
}
