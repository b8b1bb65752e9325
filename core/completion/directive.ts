/**
 * The answer to one completion request: the candidates and cobra's `ShellCompDirective` bits,
 * which tell the shell what to do besides offering them. The completion scripts read the bits
 * from the last line (`:N`) that `limactl __complete` prints, as with every cobra program.
 */

/** cobra's `ShellCompDirective` values; they combine as bits. */
export const Directive = {
  /** Offer the candidates; with none, the shell completes file names. */
  default: 0,
  /** Something failed: offer nothing. */
  error: 1,
  /** No space after a single candidate. */
  noSpace: 2,
  /** No file names, even without candidates. */
  noFileComp: 4,
  /** The candidates are file extensions to complete file names with. */
  filterFileExt: 8,
  /** Complete directory names only (inside the first candidate, when there is one). */
  filterDirs: 16,
  /** Keep the candidates in the order given. */
  keepOrder: 32,
} as const;

/** Candidates, each `value` or `value<TAB>description`, and the directive bits. */
export interface Completion {
  candidates: string[];
  directive: number;
}

/** A fixed list of values and no file names: what most of Lima's flag completions return. */
export function fixedValues(values: readonly string[]): Completion {
  return { candidates: [...values], directive: Directive.noFileComp };
}
