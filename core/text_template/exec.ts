import { builtins, type TemplateFunc } from "./builtins.ts";
import { GoTemplateError } from "./error.ts";
import { formatValue } from "./fmt.ts";
import {
  type ArgNode,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type Node,
  nodeString,
  type PipeNode,
  type TemplateNode,
  type Tree,
  type VariableNode,
} from "./parse.ts";
import { kindOf, mapValue, sortedEntries, truth, typeName } from "./value.ts";

/** What {@link executeTemplate} needs. */
export interface ExecuteOptions {
  /** All trees parsed together; the main one and every `define`/`block`. */
  trees: ReadonlyMap<string, Tree>;
  /** Name of the tree to run. */
  name: string;
  /** Caller functions; they take precedence over the built-ins, as in Go. */
  funcs: Readonly<Record<string, TemplateFunc>>;
  data: unknown;
}

// Go's limit is 100000; JS stacks run out well before that.
const maxDepth = 1000;

// Marks "no value piped in" as distinct from a piped-in missing value (undefined).
const noFinal = Symbol("noFinal");
type Final = unknown;

class LoopSignal {
  constructor(readonly kind: "break" | "continue") {}
}

interface Variable {
  name: string;
  value: unknown;
}

class State {
  node: ArgNode | CommandNode | TemplateNode | undefined;
  vars: Variable[];

  constructor(
    readonly tree: Tree,
    readonly options: ExecuteOptions,
    readonly out: string[],
    dot: unknown,
    readonly depth: number,
  ) {
    this.vars = [{ name: "$", value: dot }];
  }

  errorf(message: string): never {
    const tree = this.tree;
    const node = this.node;
    if (!node) throw new GoTemplateError(`template: ${tree.name}: ${message}`);
    const before = tree.text.slice(0, node.pos);
    const line = before.split("\n").length;
    const column =
      new TextEncoder().encode(before.slice(before.lastIndexOf("\n") + 1))
        .length;
    let context = node.type === "template"
      ? `{{template ${JSON.stringify(node.name)}${
        node.pipe ? ` ${nodeString(node.pipe)}` : ""
      }}}`
      : nodeString(node);
    const runes = [...context];
    if (runes.length > 20) context = `${runes.slice(0, 20).join("")}...`;
    throw new GoTemplateError(
      `template: ${tree.parseName}:${line}:${column}: executing "${tree.name}" at <${context}>: ${message}`,
    );
  }

  walkList(dot: unknown, list: Node[]) {
    for (const node of list) this.walk(dot, node);
  }

  walk(dot: unknown, node: Node) {
    switch (node.type) {
      case "text":
        this.out.push(node.text);
        return;
      case "action": {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(value);
        return;
      }
      case "if":
      case "with":
        return this.walkIfOrWith(dot, node);
      case "range":
        return this.walkRange(dot, node);
      case "template":
        return this.walkTemplate(dot, node);
      case "break":
      case "continue":
        throw new LoopSignal(node.type);
    }
  }

  printValue(value: unknown) {
    if (typeof value === "function") {
      this.errorf("can't print value of type func");
    }
    this.out.push(value === undefined ? "<no value>" : formatValue(value));
  }

  walkIfOrWith(dot: unknown, node: BranchNode) {
    const mark = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      if (truth(value)) {
        this.walkList(node.type === "with" ? value : dot, node.list);
      } else if (node.elseList) this.walkList(dot, node.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  walkRange(dot: unknown, node: BranchNode) {
    const mark = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      const decl = node.pipe.decl;
      // Returns false when the body executed {{break}}.
      const iterate = (key: unknown, elem: unknown): boolean => {
        if (decl.length > 0) {
          if (node.pipe.isAssign) {
            if (decl.length > 1) this.setVar(decl[0].idents[0], key);
            this.setVar(decl[decl.length - 1].idents[0], elem);
          } else {
            this.vars[this.vars.length - 1].value = elem;
            if (decl.length > 1) this.vars[this.vars.length - 2].value = key;
          }
        }
        const iterationMark = this.vars.length;
        try {
          this.walkList(elem, node.list);
        } catch (e) {
          if (!(e instanceof LoopSignal)) throw e;
          if (e.kind === "break") return false;
        } finally {
          this.vars.length = iterationMark;
        }
        return true;
      };
      let entries: Iterable<[unknown, unknown]>;
      switch (kindOf(value)) {
        case "slice":
          entries = (value as unknown[]).map((v, i) => [i, mapValue(v)]);
          break;
        case "map":
        case "struct":
          entries = sortedEntries(value as object).map((
            [k, v],
          ) => [k, mapValue(v)]);
          break;
        case "int": {
          if (decl.length > 1) {
            this.node = node.pipe.cmds[0];
            this.errorf(
              `can't use ${
                formatValue(value)
              } to iterate over more than one variable`,
            );
          }
          const count = Number(value);
          entries = Array.from(
            { length: Math.max(count, 0) },
            (_, i) => [i, i],
          );
          break;
        }
        case "invalid":
        case "nil":
          entries = [];
          break;
        default:
          this.node = node.pipe.cmds[0];
          this.errorf(`range can't iterate over ${formatValue(value)}`);
      }
      let iterations = 0;
      for (const [key, elem] of entries) {
        iterations++;
        if (!iterate(key, elem)) break;
      }
      if (iterations === 0 && node.elseList) this.walkList(dot, node.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  walkTemplate(dot: unknown, node: TemplateNode) {
    this.node = node;
    const tree = this.options.trees.get(node.name);
    if (!tree) this.errorf(`template ${JSON.stringify(node.name)} not defined`);
    if (this.depth >= maxDepth) {
      this.errorf(`exceeded maximum template depth (${maxDepth})`);
    }
    const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
    const state = new State(
      tree,
      this.options,
      this.out,
      newDot,
      this.depth + 1,
    );
    state.walkList(newDot, tree.root);
  }

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.node = pipe.cmds[0];
    let value: unknown = undefined;
    let final: Final = noFinal;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, final);
      final = value;
    }
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.idents[0], value);
      else this.vars.push({ name: variable.idents[0], value });
    }
    return value;
  }

  evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    switch (first.type) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
      case "number":
      case "string":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        this.errorf("nil is not a command");
    }
  }

  notAFunction(args: ArgNode[], final: Final) {
    if (args.length > 1 || final !== noFinal) {
      this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
    }
  }

  evalFieldNode(
    dot: unknown,
    field: FieldNode,
    args: ArgNode[],
    final: Final,
  ): unknown {
    this.node = field;
    return this.evalFieldChain(dot, dot, field, field.idents, args, final);
  }

  evalChainNode(
    dot: unknown,
    chain: ChainNode,
    args: ArgNode[],
    final: Final,
  ): unknown {
    this.node = chain;
    const receiver = this.evalArg(dot, chain.node);
    this.node = chain;
    return this.evalFieldChain(dot, receiver, chain, chain.fields, args, final);
  }

  evalVariableNode(
    dot: unknown,
    variable: VariableNode,
    args: ArgNode[],
    final: Final,
  ): unknown {
    this.node = variable;
    const value = this.varValue(variable.idents[0]);
    if (variable.idents.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(
      dot,
      value,
      variable,
      variable.idents.slice(1),
      args,
      final,
    );
  }

  evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: FieldNode | ChainNode | VariableNode,
    idents: string[],
    args: ArgNode[],
    final: Final,
  ): unknown {
    let current = receiver;
    for (const ident of idents.slice(0, -1)) {
      current = this.evalField(dot, ident, node, [], noFinal, current);
    }
    return this.evalField(
      dot,
      idents[idents.length - 1],
      node,
      args,
      final,
      current,
    );
  }

  evalField(
    dot: unknown,
    name: string,
    node: FieldNode | ChainNode | VariableNode,
    args: ArgNode[],
    final: Final,
    receiver: unknown,
  ): unknown {
    this.node = node;
    if (receiver === undefined) return undefined;
    if (receiver === null) {
      this.errorf(`nil pointer evaluating interface {}.${name}`);
    }
    const hasArgs = args.length > 1 || final !== noFinal;
    const kind = kindOf(receiver);
    if (kind === "map") {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      return mapValue((receiver as Map<unknown, unknown>).get(name));
    }
    if (kind === "struct" && hasMember(receiver as object, name)) {
      const value = (receiver as Record<string, unknown>)[name];
      // Inherited functions are methods; an own function property is a func-typed field.
      if (
        typeof value === "function" && !Object.hasOwn(receiver as object, name)
      ) {
        return this.evalCall(
          dot,
          value.bind(receiver),
          node,
          name,
          args,
          final,
        );
      }
      if (hasArgs) {
        this.errorf(`${name} has arguments but cannot be invoked as function`);
      }
      return value ?? null;
    }
    this.errorf(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  evalFunction(
    dot: unknown,
    ident: IdentifierNode,
    cmd: CommandNode | IdentifierNode,
    args: ArgNode[],
    final: Final,
  ): unknown {
    this.node = ident;
    const name = ident.name;
    const custom = Object.hasOwn(this.options.funcs, name)
      ? this.options.funcs[name]
      : undefined;
    const builtin = custom ? undefined : builtins[name];
    if (!custom && !builtin) {
      this.errorf(`${JSON.stringify(name)} is not a defined function`);
    }
    if (builtin) {
      const count = args.length - 1 + (final === noFinal ? 0 : 1);
      if (
        count < builtin.min ||
        (builtin.max !== undefined && count > builtin.max)
      ) {
        const want = builtin.max === undefined
          ? `at least ${builtin.min}`
          : `${builtin.min}`;
        this.errorf(
          `wrong number of args for ${name}: want ${want} got ${count}`,
        );
      }
      if (!builtin.fn) {
        return this.evalShortCircuit(dot, name === "or", args, final);
      }
    }
    return this.evalCall(
      dot,
      (custom ?? builtin?.fn) as TemplateFunc,
      cmd,
      name,
      args,
      final,
    );
  }

  // `and` returns its first false argument (or the last); `or` its first true one.
  evalShortCircuit(
    dot: unknown,
    isOr: boolean,
    args: ArgNode[],
    final: Final,
  ): unknown {
    let value: unknown;
    for (const arg of args.slice(1)) {
      value = this.evalArg(dot, arg);
      if (truth(value) === isOr) return value;
    }
    return final === noFinal ? value : final;
  }

  evalCall(
    dot: unknown,
    fn: TemplateFunc,
    node: ArgNode | CommandNode,
    name: string,
    args: ArgNode[],
    final: Final,
  ): unknown {
    const values = args.slice(1).map((arg) => this.evalArg(dot, arg));
    if (final !== noFinal) values.push(final);
    this.node = node;
    try {
      // A function sees Go's nil for a missing value.
      return fn(...values.map((v) => v ?? null));
    } catch (e) {
      if (e instanceof GoTemplateError) throw e;
      this.errorf(
        `error calling ${name}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  evalArg(dot: unknown, node: ArgNode): unknown {
    this.node = node;
    switch (node.type) {
      case "dot":
        return dot;
      case "nil":
        return null;
      case "field":
        return this.evalFieldNode(dot, node, [node], noFinal);
      case "variable":
        return this.evalVariableNode(dot, node, [node], noFinal);
      case "pipe":
        return this.evalPipeline(dot, node);
      case "identifier":
        return this.evalFunction(dot, node, node, [node], noFinal);
      case "chain":
        return this.evalChainNode(dot, node, [node], noFinal);
      case "bool":
      case "number":
      case "string":
        return node.value;
    }
  }

  varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) return this.vars[i].value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  setVar(name: string, value: unknown) {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
}

// Own or inherited members, but not Object.prototype's (`constructor`, `toString`, ...).
function hasMember(value: object, name: string): boolean {
  for (
    let o: object | null = value;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o)
  ) {
    if (Object.hasOwn(o, name)) return true;
  }
  return false;
}

/** Runs a parsed template against `data` and returns the output text. */
export function executeTemplate(options: ExecuteOptions): string {
  const tree = options.trees.get(options.name);
  if (!tree) {
    throw new GoTemplateError(
      `template: ${options.name}: "${options.name}" is an incomplete or empty template`,
    );
  }
  const out: string[] = [];
  const state = new State(tree, options, out, options.data, 0);
  state.walkList(options.data, tree.root);
  return out.join("");
}
