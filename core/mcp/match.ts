/**
 * Go's `path.Match` (which Lima's `glob` tool uses through pkg/sftp): `*` is any run of
 * characters but `/`, `?` one character but `/`, `[…]` a class (`^` negates, `a-z` ranges,
 * `\` escapes), `\c` the character c. A malformed pattern is an error whether or not it
 * would match, as in Go.
 */
import { LimaError } from "../errors.ts";

type Token =
  | { kind: "star" }
  | { kind: "any" }
  | { kind: "literal"; char: string }
  | { kind: "class"; negated: boolean; ranges: [string, string][] };

function badPattern(): LimaError {
  // Go's path.ErrBadPattern.
  return new LimaError({ summary: "syntax error in pattern" });
}

/** One class member at AT (escaped or not); `-` and `]` may not start one. */
function classChar(chars: string[], at: number): [string, number] {
  let i = at;
  if (i >= chars.length || chars[i] === "-" || chars[i] === "]") {
    throw badPattern();
  }
  if (chars[i] === "\\") i++;
  if (i >= chars.length) throw badPattern();
  // The class must go on after a member: at least its closing `]`.
  if (i + 1 >= chars.length) throw badPattern();
  return [chars[i], i + 1];
}

/** The class starting after `[` at AT, and where it ends. */
function parseClass(chars: string[], at: number): [Token, number] {
  let i = at;
  const negated = chars[i] === "^";
  if (negated) i++;
  const ranges: [string, string][] = [];
  while (!(chars[i] === "]" && ranges.length > 0)) {
    const [lo, next] = classChar(chars, i);
    let hi = lo;
    i = next;
    if (chars[i] === "-") [hi, i] = classChar(chars, i + 1);
    ranges.push([lo, hi]);
  }
  return [{ kind: "class", negated, ranges }, i + 1];
}

/** PATTERN as tokens; throws Go's "syntax error in pattern" when it is malformed. */
function tokenize(pattern: string): Token[] {
  const chars = [...pattern];
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length;) {
    const c = chars[i];
    if (c === "*") {
      tokens.push({ kind: "star" });
      i++;
    } else if (c === "?") {
      tokens.push({ kind: "any" });
      i++;
    } else if (c === "[") {
      const [token, next] = parseClass(chars, i + 1);
      tokens.push(token);
      i = next;
    } else if (c === "\\") {
      if (i + 1 >= chars.length) throw badPattern();
      tokens.push({ kind: "literal", char: chars[i + 1] });
      i += 2;
    } else {
      tokens.push({ kind: "literal", char: c });
      i++;
    }
  }
  return tokens;
}

function matchesOne(token: Token, c: string): boolean {
  switch (token.kind) {
    case "any":
      return c !== "/";
    case "literal":
      return c === token.char;
    case "class": {
      const cp = c.codePointAt(0)!;
      const inside = token.ranges.some(([lo, hi]) =>
        lo.codePointAt(0)! <= cp && cp <= hi.codePointAt(0)!
      );
      return inside !== token.negated;
    }
    default:
      return false;
  }
}

function matchFrom(
  tokens: Token[],
  t: number,
  name: string[],
  n: number,
): boolean {
  if (t === tokens.length) return n === name.length;
  if (tokens[t].kind === "star") {
    // A star takes as few characters as it can, never a `/`.
    for (let k = n; k <= name.length; k++) {
      if (matchFrom(tokens, t + 1, name, k)) return true;
      if (k < name.length && name[k] === "/") return false;
    }
    return false;
  }
  return n < name.length && matchesOne(tokens[t], name[n]) &&
    matchFrom(tokens, t + 1, name, n + 1);
}

/** Whether NAME matches the shell PATTERN, as Go's `path.Match` decides it. */
export function pathMatch(pattern: string, name: string): boolean {
  return matchFrom(tokenize(pattern), 0, [...name], 0);
}

/** Whether PATH has any of the characters `pathMatch` treats specially. */
export function hasMeta(path: string): boolean {
  return /[\\*?[]/.test(path);
}
