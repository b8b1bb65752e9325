/** What went wrong, in a shape every part of the tool (and every driver) can report. */
export interface Diagnostic {
  severity: "error" | "warning";
  /** One sentence, sentence case, saying what failed. */
  summary: string;
  /** Why it failed, or the underlying error text. */
  detail?: string;
  /** The file the problem is in, when there is one. */
  file?: string;
  /** The YAML field path (`mounts[0].location`), when the problem is in a config field. */
  path?: string;
  /** What the user can do about it. */
  hint?: string;
}

/** The one error type of the tool: it carries a diagnostic that the CLI renders once. */
export class LimaError extends Error {
  readonly diagnostic: Diagnostic;
  /** The process exit code the CLI uses for this error. */
  readonly exitCode: number;

  constructor(
    diagnostic: Omit<Diagnostic, "severity"> & {
      severity?: Diagnostic["severity"];
    },
    options: { cause?: unknown; exitCode?: number } = {},
  ) {
    const full: Diagnostic = { severity: "error", ...diagnostic };
    super(formatDiagnostic(full), { cause: options.cause });
    this.name = "LimaError";
    this.diagnostic = full;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Renders a diagnostic as one line: `file: field `path`: summary: detail (hint)`. */
export function formatDiagnostic(d: Diagnostic): string {
  let text = "";
  if (d.file) text += `${d.file}: `;
  if (d.path) text += `field \`${d.path}\`: `;
  text += d.summary;
  if (d.detail) text += `: ${d.detail}`;
  if (d.hint) text += ` (hint: ${d.hint})`;
  return text;
}

/** Raised when a child process the tool ran directly exits non-zero; the CLI exits with its code silently. */
export class ExitCodeError extends Error {
  constructor(readonly code: number) {
    super(`exit status ${code}`);
    this.name = "ExitCodeError";
  }
}

/** The message of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
