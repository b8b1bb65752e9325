/**
 * Which host variables `limactl shell --preserve-env` forwards (`LIMA_SHELLENV_*`, Lima's
 * `pkg/envutil/envutil.go`).
 */
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";

/** The variables `limactl shell --preserve-env` never forwards unless allowed. */
export const DEFAULT_SHELL_ENV_BLOCK = [
  "BASH*",
  "DISPLAY",
  "DYLD_*",
  "EUID",
  "FPATH",
  "GID",
  "GROUP",
  "HOME",
  "HOSTNAME",
  "LD_*",
  "LOGNAME",
  "OLDPWD",
  "PATH",
  "PWD",
  "SHELL",
  "SHLVL",
  "SSH_*",
  "TERM",
  "TERMINFO",
  "TMPDIR",
  "UID",
  "USER",
  "XAUTHORITY",
  "XDG_*",
  "ZDOTDIR",
  "ZSH*",
  "_*",
];

export interface ShellEnvInput {
  /** The host environment. */
  env: Record<string, string>;
  /** Lima's default block list. */
  defaultBlock: string[];
}

/** Why PATTERN is refused (Lima's message): it may only hold letters, digits, `_` and `*`. */
function patternProblem(pattern: string): string | undefined {
  // Every allowed character is one byte, so the index is also Lima's byte position.
  const bad = /[^a-zA-Z0-9_*]/u.exec(pattern);
  if (!bad) return undefined;
  return `pattern ${quote(pattern)} contains invalid character ${
    quote(bad[0])
  } at position ${bad.index}`;
}

/**
 * The patterns of VARIABLE's comma-separated VALUE; whitespace around entries is ignored. A
 * pattern with another character is fatal, as in Lima.
 */
function patternList(variable: string, value: string): string[] {
  const patterns = value.split(",").map((p) => p.trim()).filter((p) =>
    p !== ""
  );
  for (const p of patterns) {
    const problem = patternProblem(p);
    if (problem) {
      throw new LimaError({
        summary: `Invalid ${variable} pattern`,
        detail: problem,
      });
    }
  }
  return patterns;
}

function matcher(patterns: string[]): (name: string) => boolean {
  const regexes = patterns.map((p) =>
    new RegExp(`^${p.replaceAll("*", ".*")}$`)
  );
  return (name) => regexes.some((r) => r.test(name));
}

/**
 * The variables to forward, sorted by name. A non-empty `LIMA_SHELLENV_BLOCK` replaces the
 * default block list, or extends it when its first character is `+` (so ` +FOO` is the invalid
 * pattern `+FOO`, as in Lima); `LIMA_SHELLENV_ALLOW` overrides blocks.
 */
export function preservedEnv(input: ShellEnvInput): [string, string][] {
  const blockValue = input.env.LIMA_SHELLENV_BLOCK ?? "";
  let block = input.defaultBlock;
  if (blockValue !== "") {
    block = blockValue.startsWith("+")
      ? [
        ...input.defaultBlock,
        ...patternList("LIMA_SHELLENV_BLOCK", blockValue.slice(1)),
      ]
      : patternList("LIMA_SHELLENV_BLOCK", blockValue);
  }
  const blocked = matcher(block);
  const allowed = matcher(
    patternList("LIMA_SHELLENV_ALLOW", input.env.LIMA_SHELLENV_ALLOW ?? ""),
  );
  return Object.entries(input.env)
    .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    .filter(([name]) => allowed(name) || !blocked(name))
    .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
}
