/**
 * Which host variables `limactl shell --preserve-env` forwards (`LIMA_SHELLENV_*`, Lima's
 * `pkg/envutil/envutil.go`).
 */
import { LimaError } from "../errors.ts";

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

/** A comma-separated pattern list; whitespace around entries is ignored. */
function patternList(variable: string, value: string): string[] {
  const patterns = value.split(",").map((p) => p.trim()).filter((p) =>
    p !== ""
  );
  for (const p of patterns) {
    if (!/^[A-Za-z0-9_*]+$/.test(p)) {
      throw new LimaError({
        summary: `invalid pattern ${JSON.stringify(p)} in ${variable}`,
        detail: "patterns may only contain letters, digits, `_` and `*`",
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
 * The variables to forward, sorted by name. `LIMA_SHELLENV_BLOCK` replaces the default block
 * list, or extends it when it starts with `+`; `LIMA_SHELLENV_ALLOW` overrides blocks.
 */
export function preservedEnv(input: ShellEnvInput): [string, string][] {
  const blockValue = input.env.LIMA_SHELLENV_BLOCK;
  let block = input.defaultBlock;
  if (blockValue !== undefined && blockValue.trim() !== "") {
    const trimmed = blockValue.trim();
    block = trimmed.startsWith("+")
      ? [
        ...input.defaultBlock,
        ...patternList("LIMA_SHELLENV_BLOCK", trimmed.slice(1)),
      ]
      : patternList("LIMA_SHELLENV_BLOCK", trimmed);
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
