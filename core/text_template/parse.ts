import { GoTemplateError } from "./error.ts";
import { lex, type Token } from "./lexer.ts";

/** `.A.B` — a field chain on dot. */
export interface FieldNode {
  type: "field";
  pos: number;
  idents: string[];
}
/** `$x.A.B` — a variable, optionally followed by fields. */
export interface VariableNode {
  type: "variable";
  pos: number;
  idents: string[];
}
/** `(pipeline).A.B` — fields applied to a parenthesised pipeline. */
export interface ChainNode {
  type: "chain";
  pos: number;
  node: PipeNode;
  fields: string[];
}
export interface IdentifierNode {
  type: "identifier";
  pos: number;
  name: string;
}
export interface DotNode {
  type: "dot";
  pos: number;
}
export interface NilNode {
  type: "nil";
  pos: number;
}
export interface BoolNode {
  type: "bool";
  pos: number;
  value: boolean;
}
export interface NumberNode {
  type: "number";
  pos: number;
  value: number;
  text: string;
}
export interface StringNode {
  type: "string";
  pos: number;
  value: string;
  text: string;
}
export type ArgNode =
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;

export interface CommandNode {
  type: "command";
  pos: number;
  args: ArgNode[];
}
export interface PipeNode {
  type: "pipe";
  pos: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}

export interface TextNode {
  type: "text";
  pos: number;
  text: string;
}
export interface ActionNode {
  type: "action";
  pos: number;
  pipe: PipeNode;
}
/** `if`, `with` and `range` share one shape. */
export interface BranchNode {
  type: "if" | "with" | "range";
  pos: number;
  pipe: PipeNode;
  list: Node[];
  elseList?: Node[];
}
export interface TemplateNode {
  type: "template";
  pos: number;
  name: string;
  pipe?: PipeNode;
}
export interface LoopControlNode {
  type: "break" | "continue";
  pos: number;
}
export type Node =
  | TextNode
  | ActionNode
  | BranchNode
  | TemplateNode
  | LoopControlNode;

/** A parsed template body plus what error messages need to locate nodes in it. */
export interface Tree {
  name: string;
  /** Name of the top-level template whose text this tree was parsed from. */
  parseName: string;
  text: string;
  root: Node[];
}

/** Options for {@link parseTemplates}. */
export interface ParseOptions {
  /** Name of the top-level template; it appears in every error message. */
  name: string;
  /** Function names that may be called; any other identifier is a parse error. */
  funcNames: ReadonlySet<string>;
}

// Thrown by "end" and "else" actions to hand them to the enclosing list parser.
interface Terminator {
  kind: "end" | "else";
  // For `{{else if ...}}`/`{{else with ...}}`: the keyword following else.
  chained?: "if" | "with";
  token: Token;
}

class Parser {
  readonly #tokens: Token[];
  #index = 0;
  #current: Token;
  #vars: string[] = ["$"];
  #rangeDepth = 0;
  // Line of the action being parsed, for lexer errors inside multi-line actions.
  #actionLine = 0;
  readonly trees = new Map<string, Tree>();

  constructor(readonly text: string, readonly options: ParseOptions) {
    this.#tokens = lex(text);
    this.#current = this.#tokens[0];
  }

  errorf(message: string): never {
    throw new GoTemplateError(
      `template: ${this.options.name}:${this.#current.line}: ${message}`,
    );
  }

  next(): Token {
    const token = this.#tokens[Math.min(this.#index, this.#tokens.length - 1)];
    this.#index++;
    this.#current = token;
    return token;
  }
  backup(count = 1) {
    this.#index -= count;
  }
  peek(): Token {
    return this.#tokens[Math.min(this.#index, this.#tokens.length - 1)];
  }
  nextNonSpace(): Token {
    let token = this.next();
    while (token.type === "space") token = this.next();
    return token;
  }
  peekNonSpace(): Token {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  unexpected(token: Token, context: string): never {
    if (token.type === "error") {
      let extra = "";
      if (this.#actionLine !== 0 && this.#actionLine !== token.line) {
        const where = `started at ${this.options.name}:${this.#actionLine}`;
        extra = token.val.endsWith(" action")
          ? ` ${where}`
          : ` in action ${where}`;
      }
      this.errorf(token.val + extra);
    }
    this.errorf(`unexpected ${describe(token)} in ${context}`);
  }

  expect(type: Token["type"], context: string): Token {
    const token = this.nextNonSpace();
    if (token.type !== type) this.unexpected(token, context);
    return token;
  }

  parse(): Node[] {
    const root: Node[] = [];
    while (this.peek().type !== "eof") {
      if (this.peek().type === "leftDelim") {
        const saved = this.#index;
        this.next();
        const word = this.nextNonSpace();
        if (word.type === "keyword" && word.val === "define") {
          this.parseDefinition();
          continue;
        }
        this.#index = saved;
      }
      const node = this.textOrAction();
      if (isTerminator(node)) {
        this.errorf(`unexpected {{${node.kind}}}`);
      }
      root.push(node);
    }
    return root;
  }

  addTree(name: string, root: Node[]) {
    const existing = this.trees.get(name);
    if (existing && !isEmpty(existing.root) && !isEmpty(root)) {
      this.errorf(`template: multiple definition of template "${name}"`);
    }
    if (!existing || isEmpty(existing.root)) {
      this.trees.set(name, {
        name,
        parseName: this.options.name,
        text: this.text,
        root,
      });
    }
  }

  /** The list up to `{{end}}` as template NAME, parsed with only `$` in scope. */
  definitionBody(name: string, context: string) {
    const saved = this.#vars;
    this.#vars = ["$"];
    const [list, end] = this.itemList();
    this.#vars = saved;
    if (end.kind !== "end") {
      this.errorf(`unexpected {{${end.kind}}} in ${context}`);
    }
    this.addTree(name, list);
  }

  // `{{define "name"}} list {{end}}`; the define keyword is past.
  parseDefinition() {
    const context = "define clause";
    const name = this.templateName(this.nextNonSpace(), context);
    this.expect("rightDelim", context);
    this.definitionBody(name, context);
  }

  templateName(token: Token, context: string): string {
    if (token.type !== "string" && token.type !== "rawString") {
      this.unexpected(token, context);
    }
    return unquote(token.val, (m) => this.errorf(m));
  }

  itemList(): [Node[], Terminator] {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== "eof") {
      const node = this.textOrAction();
      if (isTerminator(node)) return [list, node];
      list.push(node);
    }
    this.errorf("unexpected EOF");
  }

  textOrAction(): Node | Terminator {
    const token = this.nextNonSpace();
    switch (token.type) {
      case "text":
        return { type: "text", pos: token.pos, text: token.val };
      case "leftDelim": {
        this.#actionLine = token.line;
        const node = this.action();
        this.#actionLine = 0;
        return node;
      }
      default:
        this.unexpected(token, "input");
    }
  }

  action(): Node | Terminator {
    const token = this.nextNonSpace();
    if (token.type === "keyword") {
      switch (token.val) {
        case "block":
          return this.blockControl();
        case "break":
        case "continue":
          return this.loopControl(token);
        case "else":
          return this.elseControl(token);
        case "end":
          this.expect("rightDelim", "end");
          return { kind: "end", token };
        case "if":
        case "range":
        case "with":
          return this.branchControl(token.val);
        case "template":
          return this.templateControl(token);
      }
    }
    this.backup();
    const start = this.peekNonSpace();
    return {
      type: "action",
      pos: start.pos,
      pipe: this.pipeline("command", "rightDelim"),
    };
  }

  loopControl(token: Token): LoopControlNode {
    const next = this.nextNonSpace();
    if (next.type !== "rightDelim") this.unexpected(next, `{{${token.val}}}`);
    if (this.#rangeDepth === 0) {
      this.errorf(`{{${token.val}}} outside {{range}}`);
    }
    return { type: token.val as "break" | "continue", pos: token.pos };
  }

  elseControl(token: Token): Terminator {
    const peek = this.peekNonSpace();
    if (peek.type === "keyword" && (peek.val === "if" || peek.val === "with")) {
      return { kind: "else", chained: peek.val, token };
    }
    this.expect("rightDelim", "else");
    return { kind: "else", token };
  }

  branchControl(context: "if" | "with" | "range"): BranchNode {
    const mark = this.#vars.length;
    const pipe = this.pipeline(context, "rightDelim");
    if (context === "range") this.#rangeDepth++;
    let [list, next] = this.itemList();
    if (context === "range") this.#rangeDepth--;
    let elseList: Node[] | undefined;
    if (next.kind === "else") {
      if (next.chained && next.chained === context) {
        // `{{else if}}` is an `{{else}}` holding a nested `{{if}}` that ends at the same `{{end}}`.
        this.nextNonSpace();
        elseList = [this.branchControl(context)];
      } else if (next.chained) {
        this.unexpected(this.nextNonSpace(), "input");
      } else {
        [elseList, next] = this.itemList();
        if (next.kind !== "end") {
          this.errorf(`expected end; found {{${next.kind}}}`);
        }
      }
    }
    this.#vars.length = mark;
    return { type: context, pos: pipe.pos, pipe, list, elseList };
  }

  blockControl(): TemplateNode {
    const context = "block clause";
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    const pipe = this.pipeline(context, "rightDelim");
    this.definitionBody(name, context);
    return { type: "template", pos: token.pos, name, pipe };
  }

  templateControl(keyword: Token): TemplateNode {
    const context = "template clause";
    const name = this.templateName(this.nextNonSpace(), context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== "rightDelim") {
      this.backup();
      pipe = this.pipeline(context, "rightDelim");
    }
    return { type: "template", pos: keyword.pos, name, pipe };
  }

  pipeline(context: string, end: "rightDelim" | "rightParen"): PipeNode {
    const pipe: PipeNode = {
      type: "pipe",
      pos: this.peekNonSpace().pos,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== "variable") break;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === "assign" || next.type === "declare") {
        pipe.isAssign = next.type === "assign";
        this.nextNonSpace();
        if (pipe.isAssign && !this.#vars.includes(v.val)) {
          this.errorf(`undefined variable "${v.val}"`);
        }
        pipe.decl.push({ type: "variable", pos: v.pos, idents: [v.val] });
        this.#vars.push(v.val);
        break;
      }
      if (next.type === "char" && next.val === ",") {
        this.nextNonSpace();
        pipe.decl.push({ type: "variable", pos: v.pos, idents: [v.val] });
        this.#vars.push(v.val);
        if (context === "range" && pipe.decl.length < 2) {
          const following = this.peekNonSpace().type;
          if (
            following === "variable" || following === "rightDelim" ||
            following === "rightParen"
          ) continue;
          this.errorf("range can only initialize variables");
        }
        this.errorf(`too many declarations in ${context}`);
      }
      // An ordinary variable operand: push it back.
      this.backup();
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      if (token.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (token.type) {
        case "bool":
        case "charConstant":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "rawString":
        case "string":
        case "variable":
        case "leftParen":
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  checkPipeline(pipe: PipeNode, context: string) {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((cmd, i) => {
      const first = cmd.args[0].type;
      if (
        first === "bool" || first === "dot" || first === "nil" ||
        first === "number" || first === "string"
      ) {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  command(): CommandNode {
    const cmd: CommandNode = {
      type: "command",
      pos: this.peekNonSpace().pos,
      args: [],
    };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.type === "space") continue;
      if (token.type === "rightDelim" || token.type === "rightParen") {
        this.backup();
      } else if (token.type === "pipe") {
        const after = this.peekNonSpace().type;
        if (after === "rightDelim" || after === "rightParen") {
          this.nextNonSpace();
          this.errorf("missing command after pipe");
        }
      } else {
        this.unexpected(token, "operand");
      }
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  operand(): ArgNode | undefined {
    const node = this.term();
    if (!node || this.peek().type !== "field") return node;
    // Like Go, the chain is positioned at its first appended field.
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === "field") fields.push(this.next().val.slice(1));
    switch (node.type) {
      case "field":
      case "variable":
        return { type: node.type, pos, idents: [...node.idents, ...fields] };
      case "pipe":
        return { type: "chain", pos, node, fields };
      default:
        this.errorf(
          `unexpected . after term ${JSON.stringify(nodeString(node))}`,
        );
    }
  }

  term(): ArgNode | undefined {
    const token = this.nextNonSpace();
    switch (token.type) {
      case "identifier":
        if (!this.options.funcNames.has(token.val)) {
          this.errorf(`function "${token.val}" not defined`);
        }
        return { type: "identifier", pos: token.pos, name: token.val };
      case "dot":
        return { type: "dot", pos: token.pos };
      case "nil":
        return { type: "nil", pos: token.pos };
      case "variable": {
        const [name, ...fields] = token.val.split(".");
        if (!this.#vars.includes(name)) {
          this.errorf(`undefined variable "${name}"`);
        }
        return { type: "variable", pos: token.pos, idents: [name, ...fields] };
      }
      case "field":
        return { type: "field", pos: token.pos, idents: [token.val.slice(1)] };
      case "bool":
        return { type: "bool", pos: token.pos, value: token.val === "true" };
      case "charConstant":
      case "number":
        return {
          type: "number",
          pos: token.pos,
          value: parseNumber(token, (m) => this.errorf(m)),
          text: token.val,
        };
      case "leftParen":
        return this.pipeline("parenthesized pipeline", "rightParen");
      case "string":
      case "rawString":
        return {
          type: "string",
          pos: token.pos,
          value: unquote(token.val, (m) => this.errorf(m)),
          text: token.val,
        };
    }
    this.backup();
    return undefined;
  }
}

function isTerminator(node: Node | Terminator): node is Terminator {
  return "kind" in node;
}

function isEmpty(list: Node[]): boolean {
  return list.every((n) => n.type === "text" && n.text.trim() === "");
}

// How Go's parser names a token in "unexpected X in Y" messages.
function describe(token: Token): string {
  switch (token.type) {
    case "eof":
      return "EOF";
    case "error":
      return token.val;
    case "keyword":
      return `<${token.val}>`;
    default: {
      const quoted = JSON.stringify(token.val);
      return token.val.length > 10
        ? `${JSON.stringify(token.val.slice(0, 10))}...`
        : quoted;
    }
  }
}

function parseNumber(token: Token, fail: (message: string) => never): number {
  const text = token.val;
  if (token.type === "charConstant") {
    const value = unquote(`"${text.slice(1, -1)}"`, () => {
      fail(`malformed character constant: ${text}`);
    });
    if ([...value].length !== 1) fail(`malformed character constant: ${text}`);
    return value.codePointAt(0) ?? 0;
  }
  const sign = text.startsWith("-") ? -1 : 1;
  const body = text.replace(/^[+-]/, "").replaceAll("_", "");
  let value = Number.NaN;
  if (/^0[0-7]+$/.test(body)) value = Number.parseInt(body, 8);
  else if (!body.endsWith("i") && body !== "") value = Number(body);
  if (!Number.isFinite(value)) fail(`illegal number syntax: "${text}"`);
  return sign * value;
}

const simpleEscapes: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
};

/** Go's strconv.Unquote for "interpreted" and `raw` string literals. */
export function unquote(
  literal: string,
  fail: (message: string) => never,
): string {
  if (literal.startsWith("`")) return literal.slice(1, -1).replaceAll("\r", "");
  const body = literal.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e in simpleEscapes) {
      out += simpleEscapes[e];
      continue;
    }
    const hexLength = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (hexLength > 0) {
      const digits = body.slice(i + 1, i + 1 + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(digits)) {
        fail("invalid syntax");
      }
      const code = Number.parseInt(digits, 16);
      if (code > 0x10ffff) fail("invalid syntax");
      out += String.fromCodePoint(code);
      i += hexLength;
      continue;
    }
    const octal = body.slice(i, i + 3);
    if (/^[0-7]{3}$/.test(octal) && Number.parseInt(octal, 8) < 256) {
      out += String.fromCharCode(Number.parseInt(octal, 8));
      i += 2;
      continue;
    }
    fail("invalid syntax");
  }
  return out;
}

/** Renders an argument node the way Go prints it in execution error contexts. */
export function nodeString(node: ArgNode | CommandNode): string {
  switch (node.type) {
    case "field":
      return node.idents.map((i) => `.${i}`).join("");
    case "variable":
      return node.idents.join(".");
    case "chain":
      return `(${nodeString(node.node)})${
        node.fields.map((f) => `.${f}`).join("")
      }`;
    case "identifier":
      return node.name;
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(node.value);
    case "number":
    case "string":
      return node.text;
    case "command":
      return node.args.map((a) =>
        a.type === "pipe" ? `(${nodeString(a)})` : nodeString(a)
      )
        .join(" ");
    case "pipe": {
      const decl = node.decl.length > 0
        ? `${node.decl.map((d) => d.idents[0]).join(", ")} ${
          node.isAssign ? "=" : ":="
        } `
        : "";
      return decl + node.cmds.map((c) => nodeString(c)).join(" | ");
    }
  }
}

/**
 * Parses a template text into its main tree plus the trees of every `define` and `block`.
 * The main tree is stored under `options.name`.
 */
export function parseTemplates(
  text: string,
  options: ParseOptions,
): Map<string, Tree> {
  const parser = new Parser(text, options);
  const root = parser.parse();
  parser.addTree(options.name, root);
  return parser.trees;
}
