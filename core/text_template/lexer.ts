/** Token kinds produced by {@link lex}. */
export type TokenType =
  | "text"
  | "leftDelim"
  | "rightDelim"
  | "space"
  | "field"
  | "identifier"
  | "variable"
  | "dot"
  | "string"
  | "rawString"
  | "char"
  | "charConstant"
  | "number"
  | "bool"
  | "nil"
  | "keyword"
  | "pipe"
  | "leftParen"
  | "rightParen"
  | "declare"
  | "assign"
  | "eof"
  | "error";

/** One lexical item; `pos` is a UTF-16 offset into the template text, `line` is 1-based. */
export interface Token {
  type: TokenType;
  val: string;
  pos: number;
  line: number;
}

const keywords = new Set([
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "range",
  "template",
  "with",
]);

const leftDelim = "{{";
const rightDelim = "}}";
const leftComment = "/*";
const rightComment = "*/";

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

function isAlphaNumeric(c: string): boolean {
  return c === "_" || /^[\p{L}\p{Nd}]$/u.test(c);
}

function describeRune(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(4, "0");
  return /^\p{C}$/u.test(c) ? `U+${hex}` : `U+${hex} '${c}'`;
}

const numberPattern =
  /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[oO][0-7_]*|0[bB][01_]*|[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)i?/;

/**
 * Splits a template into tokens. Lexing stops at the first error, which becomes the last
 * token (type "error", `val` the message) so the parser reports it in source order.
 */
export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let parenDepth = 0;
  // Set after a right trim marker so that the next text starts after the whitespace.
  let trimNextText = false;

  const countLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (input[i] === "\n") line++;
  };
  const emit = (type: TokenType, start: number, end: number) => {
    tokens.push({ type, val: input.slice(start, end), pos: start, line });
    countLines(start, end);
  };
  const fail = (message: string, at: number) => {
    tokens.push({ type: "error", val: message, pos: at, line });
  };
  // Returns the length of the right delimiter (with its trim marker) at i, or 0.
  const rightDelimAt = (i: number): { length: number; trim: boolean } => {
    if (input.startsWith(rightDelim, i)) return { length: 2, trim: false };
    if (
      isSpace(input[i] ?? "") && input[i + 1] === "-" &&
      input.startsWith(rightDelim, i + 2)
    ) {
      return { length: 4, trim: true };
    }
    return { length: 0, trim: false };
  };
  const skipSpaces = (i: number) => {
    while (i < input.length && isSpace(input[i])) i++;
    return i;
  };
  /** The index after the quoted text that opens at I; undefined when its line ends first. */
  const quotedEnd = (i: number): number | undefined => {
    const quote = input[i++];
    for (;;) {
      const d = input[i];
      if (d === "\\" && i + 1 < input.length && input[i + 1] !== "\n") {
        i += 2;
        continue;
      }
      if (d === undefined || d === "\n") return undefined;
      i++;
      if (d === quote) return i;
    }
  };

  for (;;) {
    // Text up to the next left delimiter.
    if (trimNextText) {
      const after = skipSpaces(pos);
      countLines(pos, after);
      pos = after;
      trimNextText = false;
    }
    const next = input.indexOf(leftDelim, pos);
    if (next < 0) {
      if (pos < input.length) emit("text", pos, input.length);
      tokens.push({ type: "eof", val: "", pos: input.length, line });
      return tokens;
    }
    const trimLeft = input[next + 2] === "-" && isSpace(input[next + 3] ?? "");
    let textEnd = next;
    if (trimLeft) {
      while (textEnd > pos && isSpace(input[textEnd - 1])) textEnd--;
    }
    if (textEnd > pos) emit("text", pos, textEnd);
    countLines(textEnd, next);
    let i = next + 2 + (trimLeft ? 2 : 0);
    if (trimLeft) countLines(next + 3, next + 4);

    if (input.startsWith(leftComment, i)) {
      const close = input.indexOf(rightComment, i + 2);
      if (close < 0) {
        fail("unclosed comment", i);
        return tokens;
      }
      countLines(i, close + 2);
      const delim = rightDelimAt(close + 2);
      if (delim.length === 0) {
        fail("comment ends before closing delimiter", close + 2);
        return tokens;
      }
      countLines(close + 2, close + 2 + delim.length);
      pos = close + 2 + delim.length;
      trimNextText = delim.trim;
      continue;
    }

    tokens.push({ type: "leftDelim", val: leftDelim, pos: next, line });
    // Inside an action.
    for (;;) {
      const delim = rightDelimAt(i);
      if (delim.length > 0) {
        if (parenDepth > 0) {
          fail("unclosed left paren", i);
          return tokens;
        }
        const start = delim.trim ? i + 2 : i;
        tokens.push({ type: "rightDelim", val: rightDelim, pos: start, line });
        countLines(i, i + delim.length);
        pos = i + delim.length;
        trimNextText = delim.trim;
        break;
      }
      if (i >= input.length) {
        fail("unclosed action", i);
        return tokens;
      }
      const c = input[i];
      const start = i;
      if (isSpace(c)) {
        while (
          i < input.length && isSpace(input[i]) && rightDelimAt(i).length === 0
        ) i++;
        emit("space", start, i);
      } else if (c === "=") {
        emit("assign", start, ++i);
      } else if (c === ":") {
        if (input[i + 1] !== "=") {
          fail("expected :=", i);
          return tokens;
        }
        i += 2;
        emit("declare", start, i);
      } else if (c === "|") {
        emit("pipe", start, ++i);
      } else if (c === '"' || c === "'") {
        const end = quotedEnd(i);
        if (end === undefined) {
          fail(
            c === '"'
              ? "unterminated quoted string"
              : "unterminated character constant",
            start,
          );
          return tokens;
        }
        i = end;
        emit(c === '"' ? "string" : "charConstant", start, i);
      } else if (c === "`") {
        const close = input.indexOf("`", i + 1);
        if (close < 0) {
          fail("unterminated raw quoted string", start);
          return tokens;
        }
        i = close + 1;
        emit("rawString", start, i);
      } else if (
        c === "$" || (c === "." && !/[0-9]/.test(input[i + 1] ?? ""))
      ) {
        i++;
        while (i < input.length && isAlphaNumeric(input[i])) i++;
        const after = input[i] ?? "";
        if (!atTerminator(input, i, rightDelimAt)) {
          fail(`bad character ${describeRune(after)}`, i);
          return tokens;
        }
        if (c === "$") emit("variable", start, i);
        else emit(i === start + 1 ? "dot" : "field", start, i);
      } else if (c === "+" || c === "-" || c === "." || /[0-9]/.test(c)) {
        const match = numberPattern.exec(input.slice(i))?.[0] ?? "";
        i += match.length;
        if (
          match.replace(/^[+-]/, "") === "" ||
          (i < input.length && isAlphaNumeric(input[i]))
        ) {
          while (i < input.length && isAlphaNumeric(input[i])) i++;
          fail(`bad number syntax: "${input.slice(start, i)}"`, start);
          return tokens;
        }
        emit("number", start, i);
      } else if (isAlphaNumeric(c)) {
        while (i < input.length && isAlphaNumeric(input[i])) i++;
        if (!atTerminator(input, i, rightDelimAt)) {
          fail(`bad character ${describeRune(input[i])}`, i);
          return tokens;
        }
        const word = input.slice(start, i);
        const type: TokenType = keywords.has(word)
          ? "keyword"
          : word === "true" || word === "false"
          ? "bool"
          : word === "nil"
          ? "nil"
          : "identifier";
        emit(type, start, i);
      } else if (c === "(") {
        parenDepth++;
        emit("leftParen", start, ++i);
      } else if (c === ")") {
        parenDepth--;
        if (parenDepth < 0) {
          fail("unexpected right paren", start);
          return tokens;
        }
        emit("rightParen", start, ++i);
      } else if (/^[\x20-\x7e]$/.test(c)) {
        emit("char", start, ++i);
      } else {
        const rune = String.fromCodePoint(input.codePointAt(i) ?? 0);
        fail(`unrecognized character in action: ${describeRune(rune)}`, start);
        return tokens;
      }
    }
  }
}

// Whether the character at i may end an identifier, field or variable.
function atTerminator(
  input: string,
  i: number,
  rightDelimAt: (i: number) => { length: number },
): boolean {
  const c = input[i];
  if (c === undefined || isSpace(c)) return true;
  // The first character of the right delimiter ends the word; the parser then reports it.
  if (".,|:()}".includes(c)) return true;
  return rightDelimAt(i).length > 0;
}
