/** Splits a yq v4 expression into tokens. */

export type TokenKind =
  | "field" // `.name` or `."quoted"`
  | "dot" // a lone `.`
  | "recurse" // `..`
  | "string"
  | "number"
  | "ident" // function names and keywords
  | "variable" // `$name`
  | "format" // `@json`, `@base64`, ...
  | "op" // operators and punctuation
  | "eof";

export interface Token {
  kind: TokenKind;
  /** The key, string contents, identifier or operator text. */
  text: string;
  /** Offset of the token in the expression (0-based). */
  pos: number;
}

/** A syntax or evaluation problem in an expression, reported with yq's wording. */
export class YqError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "YqError";
  }
}

// Longest operators first so `|=` wins over `|`, `//=` over `//`.
const OPERATORS = [
  "//=",
  "|=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "==",
  "!=",
  "<=",
  ">=",
  "//",
  "|",
  ",",
  "=",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ":",
  "?",
  ";",
];

/** Characters that may appear in an unquoted path key such as `.foo-bar_2`. */
const KEY_CHAR = /[\p{L}\p{N}_\-]/u;
const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;

/** Reads a double-quoted string starting at `start` (the opening quote); returns its value and end. */
function readString(
  src: string,
  start: number,
): { value: string; end: number } {
  let i = start + 1;
  let value = "";
  while (i < src.length) {
    const c = src[i];
    if (c === '"') return { value, end: i + 1 };
    if (c === "\\") {
      const n = src[i + 1];
      const simple: Record<string, string> = {
        n: "\n",
        t: "\t",
        r: "\r",
        b: "\b",
        f: "\f",
        "0": "\0",
        '"': '"',
        "\\": "\\",
        "/": "/",
      };
      if (n === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      if (n !== undefined && n in simple) {
        value += simple[n];
        i += 2;
        continue;
      }
      // yq keeps unknown escapes verbatim.
      value += c + (n ?? "");
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  throw new YqError(`${position(src, start)}: unterminated string`);
}

/** `line:column` of an offset, 1-based like yq's messages. */
export function position(src: string, offset: number): string {
  const before = src.slice(0, offset).split("\n");
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    const start = i;
    if (c === ".") {
      if (src[i + 1] === ".") {
        tokens.push({ kind: "recurse", text: "..", pos: start });
        i += 2;
        continue;
      }
      if (src[i + 1] === '"') {
        const { value, end } = readString(src, i + 1);
        tokens.push({ kind: "field", text: value, pos: start });
        i = end;
        continue;
      }
      let j = i + 1;
      while (j < src.length && KEY_CHAR.test(src[j])) j++;
      if (j > i + 1) {
        tokens.push({ kind: "field", text: src.slice(i + 1, j), pos: start });
      } else {
        tokens.push({ kind: "dot", text: ".", pos: start });
      }
      i = j;
      continue;
    }
    if (c === '"') {
      const { value, end } = readString(src, i);
      tokens.push({ kind: "string", text: value, pos: start });
      i = end;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i))!;
      tokens.push({ kind: "number", text: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    if (c === "$" || c === "@") {
      let j = i + 1;
      while (j < src.length && IDENT_CHAR.test(src[j])) j++;
      if (j === i + 1) {
        throw new YqError(
          `${position(src, i)}: invalid input text ${
            JSON.stringify(src.slice(i))
          }`,
        );
      }
      tokens.push({
        kind: c === "$" ? "variable" : "format",
        text: src.slice(i + 1, j),
        pos: start,
      });
      i = j;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < src.length && IDENT_CHAR.test(src[j])) j++;
      tokens.push({ kind: "ident", text: src.slice(i, j), pos: start });
      i = j;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) {
      throw new YqError(
        `${position(src, i)}: invalid input text ${
          JSON.stringify(src.slice(i))
        }`,
      );
    }
    tokens.push({ kind: "op", text: op, pos: start });
    i += op.length;
  }
  tokens.push({ kind: "eof", text: "", pos: src.length });
  return tokens;
}
