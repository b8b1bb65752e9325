/** Colours for JSON and YAML written to a terminal; stripping the escapes gives the plain text back. */

const RESET = "\x1b[0m";
const KEY = "\x1b[34;1m";
const STRING = "\x1b[32m";
const NUMBER = "\x1b[36m";
const LITERAL = "\x1b[33m";
const PUNCT = "\x1b[1;39m";

const paint = (color: string, text: string) => `${color}${text}${RESET}`;

function scalarColor(value: unknown): string {
  if (typeof value === "string") return STRING;
  if (typeof value === "number") return NUMBER;
  return LITERAL;
}

/** Pretty-prints VALUE as JSON with INDENT spaces, coloured. */
export function colorizeJSON(value: unknown, indent = 4): string {
  const walk = (v: unknown, depth: number): string => {
    const pad = " ".repeat(indent * (depth + 1));
    const end = " ".repeat(indent * depth);
    if (Array.isArray(v)) {
      if (v.length === 0) return paint(PUNCT, "[]");
      const items = v.map((item) => pad + walk(item, depth + 1));
      return `${paint(PUNCT, "[")}\n${items.join(",\n")}\n${end}${
        paint(PUNCT, "]")
      }`;
    }
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return paint(PUNCT, "{}");
      const items = entries.map(([k, x]) =>
        `${pad}${paint(KEY, JSON.stringify(k))}: ${walk(x, depth + 1)}`
      );
      return `${paint(PUNCT, "{")}\n${items.join(",\n")}\n${end}${
        paint(PUNCT, "}")
      }`;
    }
    return paint(scalarColor(v), JSON.stringify(v ?? null));
  };
  return walk(value, 0);
}

/** Colours the keys and scalar values of block-style YAML text line by line. */
export function colorizeYAML(text: string): string {
  return text.split("\n").map((line) => {
    if (/^\s*(---|\.\.\.)\s*$/.test(line)) return paint(PUNCT, line);
    const m = /^(\s*(?:- )*)([^\s:#'"][^:]*|"[^"]*"|'[^']*'):( (.*))?$/.exec(
      line,
    );
    if (m) {
      const value = m[4] === undefined ? "" : ` ${paintScalar(m[4])}`;
      return `${m[1]}${paint(KEY, m[2])}:${value}`;
    }
    const item = /^(\s*- )(.+)$/.exec(line);
    if (item) return `${item[1]}${paintScalar(item[2])}`;
    return line;
  }).join("\n");
}

function paintScalar(text: string): string {
  if (text === "") return text;
  if (/^-?\d+(\.\d+)?$/.test(text)) return paint(NUMBER, text);
  if (/^(true|false|null|~)$/.test(text)) return paint(LITERAL, text);
  return paint(STRING, text);
}
