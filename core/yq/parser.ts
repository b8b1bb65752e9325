/** Parses a yq v4 expression into a syntax tree. */
import { FILE_OPERATORS, FUNCTION_NAMES } from "./functions.ts";
import { position, type Token, tokenize, YqError } from "./lexer.ts";

export type BinaryOp =
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "and"
  | "or"
  | "//";

export type AssignOp = "=" | "|=" | "+=" | "-=" | "*=" | "/=" | "%=" | "//=";

export type Ast =
  | { kind: "identity" }
  | { kind: "recurse" }
  | { kind: "field"; target: Ast; key: string; optional: boolean }
  | { kind: "index"; target: Ast; index: Ast; optional: boolean }
  | { kind: "slice"; target: Ast; from?: Ast; to?: Ast }
  | { kind: "iterate"; target: Ast; optional: boolean }
  | {
    kind: "literal";
    value: string | number | boolean | null;
    source?: string;
  }
  | { kind: "array"; body?: Ast }
  | { kind: "object"; entries: { key: Ast; value: Ast }[] }
  | { kind: "pipe"; left: Ast; right: Ast }
  | { kind: "comma"; left: Ast; right: Ast }
  | { kind: "binary"; op: BinaryOp; left: Ast; right: Ast }
  | { kind: "assign"; op: AssignOp; left: Ast; right: Ast }
  | { kind: "negate"; operand: Ast }
  | { kind: "call"; name: string; args: Ast[]; pos: number }
  | { kind: "format"; name: string; pos: number }
  | { kind: "variable"; name: string }
  | { kind: "bind"; source: Ast; name: string; body: Ast }
  | { kind: "if"; cond: Ast; then: Ast; else?: Ast };

const ASSIGN_OPS = new Set(["=", "|=", "+=", "-=", "*=", "/=", "%=", "//="]);
const COMPARE_OPS = new Set(["==", "!=", "<", "<=", ">", ">="]);
const ARITHMETIC_OPS = new Set(["+", "-", "*", "/", "%", "//"]);

class Parser {
  private i = 0;
  constructor(private readonly src: string, private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i];
  }
  private next(): Token {
    return this.tokens[this.i++];
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === "op" && t.text === text;
  }
  private isIdent(text: string): boolean {
    const t = this.peek();
    return t.kind === "ident" && t.text === text;
  }
  private fail(token: Token, what?: string): never {
    if (token.kind === "eof") {
      throw new YqError(
        `${position(this.src, token.pos)}: unexpected end of expression${
          what ? `, expected ${what}` : ""
        }`,
      );
    }
    throw new YqError(
      `${position(this.src, token.pos)}: invalid input text ${
        JSON.stringify(this.src.slice(token.pos))
      }${what ? ` (expected ${what})` : ""}`,
    );
  }
  private expectOp(text: string): void {
    if (!this.isOp(text)) this.fail(this.peek(), `'${text}'`);
    this.i++;
  }

  parseAll(): Ast {
    if (this.peek().kind === "eof") return { kind: "identity" };
    const ast = this.union();
    if (this.peek().kind !== "eof") this.fail(this.peek());
    return ast;
  }

  // Precedence follows yq, loosest first: `,` < `and`/`or` < `|` < assignment and
  // comparison < arithmetic and `//` (one level, left to right) < paths.

  private union(): Ast {
    let left = this.logic();
    while (this.isOp(",")) {
      this.i++;
      left = { kind: "comma", left, right: this.logic() };
    }
    return left;
  }

  private logic(): Ast {
    let left = this.pipe();
    while (this.isIdent("and") || this.isIdent("or")) {
      const op = this.next().text as BinaryOp;
      left = { kind: "binary", op, left, right: this.pipe() };
    }
    return left;
  }

  private pipe(): Ast {
    let left = this.relation();
    for (;;) {
      if (this.isIdent("as")) {
        this.i++;
        const v = this.next();
        if (v.kind !== "variable") this.fail(v, "a variable");
        this.expectOp("|");
        return { kind: "bind", source: left, name: v.text, body: this.union() };
      }
      if (!this.isOp("|")) return left;
      this.i++;
      left = { kind: "pipe", left, right: this.relation() };
    }
  }

  private relation(): Ast {
    let left = this.arithmetic();
    for (;;) {
      const t = this.peek();
      if (t.kind === "op" && ASSIGN_OPS.has(t.text)) {
        this.i++;
        left = {
          kind: "assign",
          op: t.text as AssignOp,
          left,
          right: this.arithmetic(),
        };
      } else if (t.kind === "op" && COMPARE_OPS.has(t.text)) {
        this.i++;
        left = {
          kind: "binary",
          op: t.text as BinaryOp,
          left,
          right: this.arithmetic(),
        };
      } else {
        return left;
      }
    }
  }

  private arithmetic(): Ast {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== "op" || !ARITHMETIC_OPS.has(t.text)) return left;
      this.i++;
      left = {
        kind: "binary",
        op: t.text as BinaryOp,
        left,
        right: this.unary(),
      };
    }
  }

  private unary(): Ast {
    if (this.isOp("-")) {
      this.i++;
      const operand = this.unary();
      if (operand.kind === "literal" && typeof operand.value === "number") {
        return {
          kind: "literal",
          value: -operand.value,
          source: `-${operand.source ?? operand.value}`,
        };
      }
      return { kind: "negate", operand };
    }
    return this.postfix(this.primary());
  }

  private postfix(target: Ast): Ast {
    for (;;) {
      const t = this.peek();
      if (t.kind === "field") {
        this.i++;
        target = {
          kind: "field",
          target,
          key: t.text,
          optional: this.optional(),
        };
      } else if (
        t.kind === "dot" && this.tokens[this.i + 1]?.kind === "op" &&
        this.tokens[this.i + 1].text === "["
      ) {
        this.i++;
      } else if (this.isOp("[")) {
        target = this.bracket(target);
      } else {
        return target;
      }
    }
  }

  private optional(): boolean {
    if (this.isOp("?")) {
      this.i++;
      return true;
    }
    return false;
  }

  /** `[]`, `[expr]`, `[from:to]` after a path. */
  private bracket(target: Ast): Ast {
    this.expectOp("[");
    if (this.isOp("]")) {
      this.i++;
      return { kind: "iterate", target, optional: this.optional() };
    }
    if (this.isOp(":")) {
      this.i++;
      const to = this.union();
      this.expectOp("]");
      return { kind: "slice", target, to };
    }
    const index = this.union();
    if (this.isOp(":")) {
      this.i++;
      const to = this.isOp("]") ? undefined : this.union();
      this.expectOp("]");
      return { kind: "slice", target, from: index, to };
    }
    this.expectOp("]");
    return { kind: "index", target, index, optional: this.optional() };
  }

  private primary(): Ast {
    const t = this.next();
    switch (t.kind) {
      case "dot":
        return { kind: "identity" };
      case "recurse":
        return { kind: "recurse" };
      case "field":
        return {
          kind: "field",
          target: { kind: "identity" },
          key: t.text,
          optional: this.optional(),
        };
      case "string":
        return { kind: "literal", value: t.text };
      case "number":
        return { kind: "literal", value: Number(t.text), source: t.text };
      case "variable":
        return { kind: "variable", name: t.text };
      case "format":
        return { kind: "format", name: t.text, pos: t.pos };
      case "ident":
        return this.identifier(t);
      case "op":
        if (t.text === "(") {
          const inner = this.union();
          this.expectOp(")");
          return inner;
        }
        if (t.text === "[") {
          if (this.isOp("]")) {
            this.i++;
            return { kind: "array" };
          }
          const body = this.union();
          this.expectOp("]");
          return { kind: "array", body };
        }
        if (t.text === "{") return this.object();
        return this.fail(t);
      default:
        return this.fail(t);
    }
  }

  private identifier(t: Token): Ast {
    switch (t.text) {
      case "true":
        return { kind: "literal", value: true };
      case "false":
        return { kind: "literal", value: false };
      case "null":
        return { kind: "literal", value: null };
      case "if":
        return this.conditional();
      case "and":
      case "or":
      case "as":
      case "then":
      case "elif":
      case "else":
      case "end":
        return this.fail(t);
    }
    if (!FUNCTION_NAMES.has(t.text) && !FILE_OPERATORS.has(t.text)) {
      this.fail(t);
    }
    const args: Ast[] = [];
    // `env(NAME)` takes a bare variable name.
    const [open, name, close] = this.tokens.slice(this.i, this.i + 3);
    if (
      (t.text === "env" || t.text === "strenv") && open.text === "(" &&
      name?.kind === "ident" && close?.text === ")"
    ) {
      this.i += 3;
      return {
        kind: "call",
        name: t.text,
        args: [{ kind: "literal", value: name.text }],
        pos: t.pos,
      };
    }
    if (this.isOp("(")) {
      this.i++;
      args.push(this.union());
      while (this.isOp(";")) {
        this.i++;
        args.push(this.union());
      }
      this.expectOp(")");
    }
    return { kind: "call", name: t.text, args, pos: t.pos };
  }

  private conditional(): Ast {
    const cond = this.union();
    if (!this.isIdent("then")) this.fail(this.peek(), "'then'");
    this.i++;
    const then = this.union();
    if (this.isIdent("elif")) {
      this.i++;
      return { kind: "if", cond, then, else: this.conditional() };
    }
    let otherwise: Ast | undefined;
    if (this.isIdent("else")) {
      this.i++;
      otherwise = this.union();
    }
    if (!this.isIdent("end")) this.fail(this.peek(), "'end'");
    this.i++;
    return { kind: "if", cond, then, else: otherwise };
  }

  /** `{key: value, ...}`; keys may be bare words as in flow YAML (`{location: "/tmp"}`). */
  private object(): Ast {
    const entries: { key: Ast; value: Ast }[] = [];
    while (!this.isOp("}")) {
      const t = this.next();
      let key: Ast;
      let shorthand: Ast | undefined;
      if (t.kind === "ident" || t.kind === "number" || t.kind === "string") {
        key = { kind: "literal", value: t.text };
        shorthand = {
          kind: "field",
          target: { kind: "identity" },
          key: t.text,
          optional: false,
        };
      } else if (t.kind === "variable") {
        key = { kind: "literal", value: t.text };
        shorthand = { kind: "variable", name: t.text };
      } else if (t.kind === "field") {
        key = this.postfix({
          kind: "field",
          target: { kind: "identity" },
          key: t.text,
          optional: false,
        });
      } else if (t.kind === "op" && t.text === "(") {
        key = this.union();
        this.expectOp(")");
      } else {
        return this.fail(t, "an object key");
      }
      let value: Ast;
      if (this.isOp(":")) {
        this.i++;
        value = this.logic();
      } else if (shorthand) {
        value = shorthand;
      } else {
        return this.fail(this.peek(), "':'");
      }
      entries.push({ key, value });
      if (this.isOp(",")) this.i++;
      else if (!this.isOp("}")) this.fail(this.peek(), "',' or '}'");
    }
    this.i++;
    return { kind: "object", entries };
  }
}

/** Parses EXPR; throws YqError with a `line:column` position on bad syntax. */
export function parseExpression(expression: string): Ast {
  return new Parser(expression, tokenize(expression)).parseAll();
}
