/**
 * Logging in the style of Lima (logrus): text lines on stderr, or one JSON object
 * per line with `--log-format json`.
 */
export type Level = "trace" | "debug" | "info" | "warn" | "error" | "fatal";
export type LogFormat = "text" | "json";
export type Fields = Record<string, unknown>;

const ORDER: Record<Level, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warn: 3,
  error: 4,
  fatal: 5,
};
const LEVELS = Object.keys(ORDER) as Level[];
const TAGS: Record<Level, string> = {
  trace: "TRAC",
  debug: "DEBU",
  info: "INFO",
  warn: "WARN",
  error: "ERRO",
  fatal: "FATA",
};
/**
 * The colour of each level's tag on a terminal: logrus' text formatter (`text_formatter.go`):
 * gray for debug and trace, yellow for warnings, red for errors, cyan ("blue") for info.
 */
const COLORS: Record<Level, number> = {
  trace: 37,
  debug: 37,
  info: 36,
  warn: 33,
  error: 31,
  fatal: 31,
};

/** logrus spells the warning level out in full. */
const logrusName = (level: Level) => level === "warn" ? "warning" : level;

export interface LoggerOptions {
  level: Level;
  format: LogFormat;
  /** Short `INFO[0003]` lines when stderr is a terminal, logrus' `time=… level=…` otherwise. */
  terminal: boolean;
  /** Colour the short lines' level tags and field names. */
  colors: boolean;
  write: (line: string) => void;
}

const started = Date.now();

function defaultOptions(): LoggerOptions {
  return {
    level: "info",
    format: "text",
    terminal: Deno.stderr.isTerminal(),
    colors: useColors(),
    write: (line) =>
      Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
  };
}

/**
 * Colours on a terminal, as logrus (which leaves Windows consoles plain), unless `NO_COLOR`
 * is set (https://no-color.org).
 */
function useColors(): boolean {
  return Deno.stderr.isTerminal() && Deno.build.os !== "windows" &&
    !Deno.env.get("NO_COLOR");
}

let options: LoggerOptions = defaultOptions();

/** Changes how the process logs (the CLI calls this once after parsing global flags). */
export function configureLogger(changes: Partial<LoggerOptions>): void {
  options = { ...options, ...changes };
}

/** Where log lines go now, for a display that must clear its line around them (boot phases). */
export function loggerWrite(): (line: string) => void {
  return options.write;
}

/** The format in use, for output that must match it (download progress). */
export function logFormat(): LogFormat {
  return options.format;
}

export function parseLevel(value: string): Level {
  const v = value.toLowerCase();
  if (v === "warning") return "warn";
  if ((LEVELS as string[]).includes(v)) return v as Level;
  throw new Error(`not a valid log level: "${value}"`);
}

function quoteValue(v: string): string {
  return /^[A-Za-z0-9_\-.\/@^+:,]*$/.test(v) && v !== ""
    ? v
    : JSON.stringify(v);
}

function render(level: Level, msg: string, fields: Fields): string {
  const now = new Date();
  if (options.format === "json") {
    return JSON.stringify({
      level: logrusName(level),
      msg,
      time: now.toISOString(),
      ...fields,
    });
  }
  if (options.terminal) return terminalLine(level, msg, fields, now);
  const pairs = Object.entries(fields).map(([k, v]) =>
    `${k}=${quoteValue(typeof v === "string" ? v : JSON.stringify(v))}`
  );
  return [
    `time=${JSON.stringify(now.toISOString())}`,
    `level=${logrusName(level)}`,
    `msg=${JSON.stringify(msg)}`,
    ...pairs,
  ].join(" ");
}

/**
 * logrus' short terminal line: `INFO[0003] message` padded to 44 columns, then ` key=value`
 * for each field; with colours the tag and the keys are coloured by level.
 */
function terminalLine(
  level: Level,
  msg: string,
  fields: Fields,
  now: Date,
): string {
  const paint = (text: string) =>
    options.colors ? `\x1b[${COLORS[level]}m${text}\x1b[0m` : text;
  const secs = String(Math.floor((now.getTime() - started) / 1000)).padStart(
    4,
    "0",
  );
  const head = `${paint(TAGS[level])}[${secs}] ${msg}`;
  const pairs = Object.entries(fields).map(([k, v]) =>
    `${paint(k)}=${quoteValue(typeof v === "string" ? v : JSON.stringify(v))}`
  );
  if (!pairs.length) return head;
  return `${head}${" ".repeat(Math.max(0, 44 - msg.length))}  ${
    pairs.join(" ")
  }`;
}

function log(level: Level, msg: string, fields: Fields = {}): void {
  if (ORDER[level] < ORDER[options.level]) return;
  options.write(render(level, msg, fields));
}

export const logger = {
  trace: (msg: string, fields?: Fields) => log("trace", msg, fields),
  debug: (msg: string, fields?: Fields) => log("debug", msg, fields),
  info: (msg: string, fields?: Fields) => log("info", msg, fields),
  warn: (msg: string, fields?: Fields) => log("warn", msg, fields),
  error: (msg: string, fields?: Fields) => log("error", msg, fields),
  /** Logs at fatal level; the caller decides the exit. */
  fatal: (msg: string, fields?: Fields) => log("fatal", msg, fields),
};
