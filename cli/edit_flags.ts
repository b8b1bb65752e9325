/**
 * The edit flags on the command line of `create`, `start`, `edit`, `clone`, `rename`: Lima's
 * names, help and value syntax. `core/config/edit_flags.ts` turns their values into yq
 * expressions.
 */
import {
  type Command,
  type CommandUnknownOpts,
  InvalidArgumentError,
  Option,
  type OptionValues,
} from "@commander-js/extra-typings";
import { ARCH_FLAG_ORDER, type EditFlags } from "../core/config/edit_flags.ts";

/** pflag's string slices: comma-separated (CSV quoting allowed), repeatable. */
function collectCsv(value: string, previous: string[] | undefined): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '"' && value[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  if (value !== "") out.push(field);
  return [...(previous ?? []), ...out];
}

const collect = (
  value: string,
  previous: string[] | undefined,
) => [...(previous ?? []), value];

export function intParser(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `invalid argument ${JSON.stringify(value)} for "--${flag}" flag`,
      );
    }
    return n;
  };
}

function floatParser(flag: string) {
  return (value: string): number => {
    const n = value.trim() === "" ? NaN : Number(value);
    if (Number.isNaN(n)) {
      throw new InvalidArgumentError(
        `invalid argument ${JSON.stringify(value)} for "--${flag}" flag`,
      );
    }
    return n;
  };
}

/** `EditFlags` as a type alias, which (unlike an interface) fits commander's option record type. */
export type EditFlagValues = { [K in keyof EditFlags]: EditFlags[K] };

export interface AddEditFlagsOptions {
  /** Also add the flags only `create`/`start` have (`--arch`, `--containerd`, ...). Default true. */
  create?: boolean;
  /** Prefix for every help text, e.g. "[limactl edit] " for clone/rename. */
  commentPrefix?: string;
}

/**
 * Adds the edit flags (cpus, memory, disk, dns, mount..., set, param, ...) to a command, with
 * Lima's names and help, so create/start/edit/clone/rename share them.
 */
export function addEditFlags<
  A extends unknown[],
  O extends OptionValues,
  G extends OptionValues,
>(
  command: Command<A, O, G>,
  options: AddEditFlagsOptions = {},
): Command<A, O & EditFlagValues, G> {
  const p = options.commentPrefix ?? "";
  const cmd = command as unknown as CommandUnknownOpts;
  const add = (option: Option) => cmd.addOption(option);
  add(
    new Option("--cpus <int>", `${p}Number of CPUs`).argParser(
      intParser("cpus", -(2 ** 31), 2 ** 31 - 1),
    ),
  );
  add(
    new Option(
      "--dns <ipSlice>",
      `${p}Specify custom DNS (disable host resolver)`,
    )
      .argParser(collectCsv),
  );
  add(
    new Option("--memory <float32>", `${p}Memory in GiB`).argParser(
      floatParser("memory"),
    ),
  );
  add(
    new Option(
      "--mount <strings>",
      `${p}Directories to mount, suffix ':w' for writable (Do not specify directories that overlap with the existing mounts)`,
    ).argParser(collectCsv),
  );
  add(
    new Option(
      "--mount-only <strings>",
      `${p}Similar to --mount, but overrides the existing mounts`,
    ).argParser(collectCsv),
  );
  add(new Option("--mount-none", `${p}Remove all mounts`));
  add(
    new Option(
      "--mount-type <string>",
      `${p}Mount type (reverse-sshfs, 9p, virtiofs)`,
    ),
  );
  add(new Option("--mount-writable", `${p}Make all mounts writable`));
  add(new Option("--mount-inotify", `${p}Enable inotify for mounts`));
  add(
    new Option(
      "--network <strings>",
      `${p}Additional networks, e.g., "vzNAT" or "lima:shared" to assign vmnet IP`,
    )
      .argParser(collectCsv),
  );
  add(new Option("--nested-virt", `${p}Enable nested virtualization`));
  add(new Option("--rosetta", `${p}Enable Rosetta (for vz instances)`));
  add(
    new Option(
      "--set <stringArray>",
      `${p}Modify the template inplace, using yq syntax. Can be passed multiple times. See 'limactl help yq-restrictions' for limitations.`,
    ).argParser(collect),
  );
  add(
    new Option(
      "--param <stringArray>",
      `${p}Set a template parameter, e.g. name=value. Can be passed multiple times.`,
    )
      .argParser(collect),
  );
  add(
    new Option("--ssh-port <uint16>", `${p}SSH port (0 for random)`).argParser(
      intParser("ssh-port", 0, 65535),
    ),
  );
  add(
    new Option(
      "--video",
      `${p}Enable video output (has negative performance impact for QEMU)`,
    ),
  );
  add(
    new Option("--disk <float32>", `${p}Disk size in GiB`).argParser(
      floatParser("disk"),
    ),
  );
  add(new Option("--vm-type <string>", `${p}Virtual machine type`));
  add(
    new Option(
      "--shell <string>",
      `${p}User login shell in the guest (e.g. /bin/bash, /bin/zsh)`,
    ),
  );
  if (options.create ?? true) {
    add(
      new Option(
        "--arch <string>",
        `${p}Machine architecture (${ARCH_FLAG_ORDER.join(", ")})`,
      ),
    );
    add(new Option("--image-variant <string>", `${p}Image variant`));
    add(
      new Option(
        "--arch-variant <string>",
        `${p}Architecture variant (e.g. "v3" for x86-64-v3)`,
      ),
    );
    add(
      new Option(
        "--containerd <string>",
        `${p}containerd mode (user, system, user+system, none)`,
      ),
    );
    add(
      new Option(
        "--plain",
        `${p}Plain mode. Disables mounts, port forwarding, containerd, etc.`,
      ),
    );
    add(
      new Option(
        "--port-forward <stringArray>",
        `${p}Port forwards (host:guest), e.g., '8080:80' or '9090:9090,static=true' for static port-forwards`,
      ).argParser(collect),
    );
    add(
      new Option(
        "--audio-device <string>",
        `${p}Audio device backend (e.g., 'pa', 'coreaudio', 'none')`,
      ),
    );
    add(
      new Option(
        "--audio-interface <string>",
        `${p}Audio virtual hardware interface ('hda' or 'virtio')`,
      ),
    );
  }
  return command as unknown as Command<A, O & EditFlagValues, G>;
}
