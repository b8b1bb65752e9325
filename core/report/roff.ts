/**
 * The pieces of roff a man page is written with (groff_man(7)): text that troff prints as
 * written, macro arguments, bold and italic words, paragraphs and unfilled blocks. Man pages
 * are written straight from the data they show, so nothing here parses Markdown.
 */

/**
 * TEXT as roff text lines that print it as written: `\` (troff's escape character) as `\e`,
 * `-` as `\-` (a plain `-` may print as a hyphen, which cannot be pasted into a shell), and
 * a line that begins with `.` or `'` (which troff would read as a request) guarded by `\&`.
 */
export function roffText(text: string): string {
  return text
    .replace(/[\\-]/g, (c) => c === "\\" ? "\\e" : "\\-")
    .replace(/^[.']/gm, "\\&$&");
}

/** TEXT as one double-quoted macro argument; a `"` inside would end it, so it is `\(dq`. */
export function roffArgument(text: string): string {
  return `"${roffText(text).replaceAll("\n", " ").replaceAll('"', "\\(dq")}"`;
}

/** TEXT in bold (`\fB`), back to the roman font after it. */
export function roffBold(text: string): string {
  return `\\fB${roffText(text)}\\fR`;
}

/** TEXT in italics (`\fI`), for the placeholders of a synopsis. */
export function roffItalic(text: string): string {
  return `\\fI${roffText(text)}\\fR`;
}

/**
 * TEXT's paragraphs (split at blank lines) filled by troff and set apart by `.PP`. An empty
 * line in the body of a man page is not a paragraph break everywhere, hence the request.
 */
export function roffParagraphs(text: string): string {
  return text.trim().split(/\n(?:[ \t]*\n)+/).map(roffText).join("\n.PP\n");
}

/**
 * TEXT indented and unfilled, every line kept as it is (examples): `.nf` and `.RS` are in
 * every man implementation, unlike groff's `.EX`. Blank lines become `.sp`, which is what
 * they mean there.
 */
export function roffLiteral(text: string): string {
  const lines = text.replace(/\n+$/, "").split("\n").map((line) =>
    line.trim() === "" ? ".sp" : roffText(line)
  );
  return [".RS", ".nf", ...lines, ".fi", ".RE"].join("\n");
}
