/** POSIX shell quoting as Lima's remote commands use it (shellescape rules). */

/** VALUE as one shell word: unchanged when it only has safe characters, else single-quoted. */
export function shellQuote(value: string): string {
  if (value === "") return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/**
 * ARGS as one command line: leading `NAME=VALUE` words stay assignments (only the value is
 * quoted), every other word is quoted whole.
 */
export function shellJoin(args: string[]): string {
  let assignments = true;
  return args.map((arg) => {
    const m = assignments ? /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(arg) : null;
    if (m) return `${m[1]}=${shellQuote(m[2])}`;
    assignments = false;
    return shellQuote(arg);
  }).join(" ");
}
