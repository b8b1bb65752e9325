/**
 * The output formats of `limactl show-ssh` (Lima's `pkg/sshutil/format.go`), also used for
 * `ssh.config`.
 */
import { LimaError } from "../errors.ts";
import { splitOption } from "./options.ts";

export const SSH_FORMATS = ["cmd", "args", "options", "config"] as const;
export type SSHFormat = typeof SSH_FORMATS[number];

/** Checks a `--format` value. */
export function parseSSHFormat(value: string): SSHFormat {
  if ((SSH_FORMATS as readonly string[]).includes(value)) {
    return value as SSHFormat;
  }
  throw new LimaError({
    summary: `unknown format ${JSON.stringify(value)}`,
    hint: `use one of ${SSH_FORMATS.join(", ")}`,
  });
}

/** A double quote inside an `-o` argument would be eaten by the shell: wrap it in single quotes. */
function quoteOption(option: string): string {
  return option.includes('"') ? `'${option}'` : option;
}

/** OPTIONS (`K=V` strings) for host alias HOST in FORMAT, each line ending in a newline. */
export function formatSSHOptions(
  format: SSHFormat,
  host: string,
  options: string[],
): string {
  switch (format) {
    case "cmd":
      return ["ssh", ...options.flatMap((o) => ["-o", quoteOption(o)]), host]
        .join(" ") + "\n";
    case "args":
      return options.flatMap((o) => ["-o", quoteOption(o)]).join(" ") + "\n";
    case "options":
      return options.map((o) => o + "\n").join("");
    case "config":
      return `Host ${host}\n` + options.map((o) => {
        const [key, value] = splitOption(o);
        return `  ${key} ${value}\n`;
      }).join("");
  }
}
