/**
 * Column alignment like Go's `text/tabwriter` with flags 0 and a space pad character:
 * every cell but the last of a row is padded to its column's width plus PADDING
 * (at least MIN_WIDTH); the last cell is printed as is.
 */
export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

/** Lima's tables: min width 4, tab width 8, padding 4. */
export const LIMA_TABLE: TabwriterOptions = { minWidth: 4, padding: 4 };

/** Aligns ROWS into lines (each ending in a newline). */
export function alignColumns(
  rows: string[][],
  options: TabwriterOptions = LIMA_TABLE,
): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, i) => {
      const width = Math.max(
        [...cell].length + options.padding,
        options.minWidth,
      );
      widths[i] = Math.max(widths[i] ?? 0, width);
    });
  }
  return rows.map((row) =>
    row.map((cell, i) =>
      i === row.length - 1
        ? cell
        : cell + " ".repeat(widths[i] - [...cell].length)
    )
      .join("") + "\n"
  ).join("");
}
