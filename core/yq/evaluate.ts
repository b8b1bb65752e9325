/**
 * Evaluates a parsed yq expression over `yaml` nodes, editing documents in place so
 * that comments and key order survive.
 */
import { LINE_COMMENT } from "./document.ts";
import { FILE_OPERATORS } from "./functions.ts";
import { YqError } from "./lexer.ts";
import type { AssignOp, Ast, BinaryOp } from "./parser.ts";
import {
  type Alias,
  carryComments,
  cloneNode,
  compareValues,
  deref,
  equalValues,
  findPair,
  fromJS,
  isMap,
  isNullNode,
  isScalar,
  isSeq,
  keyString,
  type Node,
  Pair,
  Scalar,
  tagOf,
  toJS,
  type ValueNode,
  YAMLMap,
  YAMLSeq,
} from "./nodes.ts";

/** Where a candidate lives, so assignments and `del` can write back. */
export type Slot =
  | { kind: "root"; get: () => ValueNode; set: (node: Node) => void }
  | { kind: "map"; map: YAMLMap; key: string }
  | { kind: "seq"; seq: YAMLSeq; item: ValueNode; index: number };

/** One value in the stream flowing through an expression. */
export interface Candidate {
  node: ValueNode;
  slot?: Slot;
  /** Root documents of one input are evaluated together by binary operators, as in yq. */
  together?: boolean;
  /** Index of the input document the candidate comes from. */
  doc: number;
  /**
   * A node the expression made up (a literal, `[...]`, `length` of a collection, `keys`, ...):
   * yq gives such nodes no document, so its printer puts no `---` before them.
   */
  detached?: boolean;
}

/** CANDIDATES marked as made up by the expression (see `Candidate.detached`). */
const detach = (candidates: Candidate[]): Candidate[] =>
  candidates.map((c) => ({ ...c, detached: true }));

/** The parts of a made-up PARENT are made up too. */
const inherit = (parent: Candidate, parts: Candidate[]): Candidate[] =>
  parent.detached ? detach(parts) : parts;

export interface EvaluateOptions {
  /** Whether `env`, `strenv` and `envsubst` may read the environment. */
  envOps: boolean;
  /** Resolves aliases (needs the document that holds the anchor). */
  resolveAlias?: (alias: Alias) => ValueNode;
}

type Scope = ReadonlyMap<string, Candidate[]>;

export class Evaluator {
  private readonly resolve: (alias: Alias) => ValueNode;

  constructor(private readonly options: EvaluateOptions) {
    this.resolve = options.resolveAlias ?? (() => undefined);
  }

  run(ast: Ast, inputs: Candidate[]): Candidate[] {
    return this.ev(ast, inputs, new Map(), false);
  }

  private value(c: Candidate): ValueNode {
    return deref(c.node, this.resolve);
  }
  private js(node: ValueNode): unknown {
    return toJS(node, this.resolve);
  }
  private truthy(c: Candidate): boolean {
    const n = this.value(c);
    if (isNullNode(n)) return false;
    return !(isScalar(n) && n.value === false);
  }
  private scalar(value: unknown, doc: number): Candidate {
    return { node: fromJS(value), doc };
  }

  /** Evaluates AST for each candidate; `update` makes path expressions create what is missing. */
  private ev(
    ast: Ast,
    ctx: Candidate[],
    scope: Scope,
    update: boolean,
  ): Candidate[] {
    switch (ast.kind) {
      case "identity":
        return ctx;
      case "recurse":
        return ctx.flatMap((c) => this.recurse(c));
      case "field":
        return this.ev(ast.target, ctx, scope, update).flatMap((c) =>
          inherit(c, this.field(c, ast.key, update, ast.optional))
        );
      case "index":
        return this.ev(ast.target, ctx, scope, update).flatMap((c) =>
          this.ev(ast.index, [c], scope, false).flatMap((i) =>
            inherit(c, this.index(c, this.value(i), update, ast.optional))
          )
        );
      case "slice":
        return this.ev(ast.target, ctx, scope, update).flatMap((c) =>
          inherit(c, this.slice(c, ast, scope))
        );
      case "iterate":
        return this.ev(ast.target, ctx, scope, update).flatMap((c) =>
          inherit(c, this.iterate(c, ast.optional))
        );
      case "literal": {
        return ctx.map((c) => {
          const node = new Scalar(ast.value);
          if (
            typeof ast.value === "number" && ast.source && /\./.test(ast.source)
          ) {
            node.minFractionDigits =
              ast.source.split(".")[1].replace(/[eE].*/, "").length;
          }
          return { node, doc: c.doc, detached: true };
        });
      }
      case "array":
        return ctx.map((c) => {
          const seq = new YAMLSeq();
          if (ast.body) {
            for (const item of this.ev(ast.body, [c], scope, false)) {
              seq.items.push(item.node ?? new Scalar(null));
            }
          }
          return { node: seq, doc: c.doc, detached: true };
        });
      case "object": {
        const objects = ctx.flatMap((c) => this.object(c, ast.entries, scope));
        // yq's `{}` has no document; an object with entries takes its input's.
        return ast.entries.length ? objects : detach(objects);
      }
      case "pipe":
        return this.ev(
          ast.right,
          this.ev(ast.left, ctx, scope, update),
          scope,
          update,
        );
      case "comma":
        return [
          ...this.ev(ast.left, ctx, scope, update),
          ...this.ev(ast.right, ctx, scope, update),
        ];
      case "binary":
        return this.binary(ast.op, ast.left, ast.right, ctx, scope);
      case "assign":
        return this.assign(ast.op, ast.left, ast.right, ctx, scope);
      case "negate":
        return this.ev(ast.operand, ctx, scope, false).map((c) => {
          const v = this.js(this.value(c));
          if (typeof v !== "number") {
            throw new YqError(`cannot negate ${tagOf(this.value(c))}`);
          }
          return this.scalar(-v, c.doc);
        });
      case "variable": {
        const bound = scope.get(ast.name);
        if (!bound) throw new YqError(`variable $${ast.name} is not defined`);
        return ctx.length ? bound : [];
      }
      case "bind":
        return ctx.flatMap((c) =>
          this.ev(ast.source, [c], scope, false).flatMap((v) =>
            this.ev(ast.body, [c], new Map(scope).set(ast.name, [v]), update)
          )
        );
      case "if":
        return ctx.flatMap((c) =>
          this.ev(ast.cond, [c], scope, false).flatMap((cond) => {
            if (this.truthy(cond)) return this.ev(ast.then, [c], scope, update);
            return ast.else ? this.ev(ast.else, [c], scope, update) : [c];
          })
        );
      case "format":
        return ctx.map((c) => this.scalar(this.format(ast.name, c), c.doc));
      case "call":
        return this.call(ast.name, ast.args, ctx, scope);
    }
  }

  // ---- paths ----

  private recurse(c: Candidate): Candidate[] {
    const out = [c];
    const n = this.value(c);
    if (isMap(n) || isSeq(n)) {
      for (const child of this.iterate(c, true)) {
        out.push(...this.recurse(child));
      }
    }
    return out;
  }

  /** Replaces the value a candidate's slot holds; returns the node now stored. */
  private store(c: Candidate, node: Node, filling = false): Node {
    const slot = c.slot;
    if (!slot) {
      throw new YqError(
        "cannot assign to a value that is not part of the document",
      );
    }
    carryComments(c.node, node, { filling });
    if (slot.kind === "root") {
      slot.set(node);
    } else if (slot.kind === "map") {
      const pair = findPair(slot.map, slot.key, this.resolve);
      if (pair) pair.value = node;
      else slot.map.items.push(new Pair(new Scalar(slot.key), node));
    } else {
      const at = slot.seq.items.indexOf(slot.item as Node);
      const index = at >= 0 ? at : slot.index;
      while (slot.seq.items.length < index) {
        slot.seq.items.push(new Scalar(null));
      }
      slot.seq.items[index] = node;
      slot.item = node;
    }
    c.node = node;
    return node;
  }

  /** Turns a null candidate into an empty collection in place (auto-creation of paths). */
  private createCollection(
    c: Candidate,
    kind: "map" | "seq",
  ): YAMLMap | YAMLSeq | undefined {
    if (!c.slot) return undefined;
    const node = kind === "map" ? new YAMLMap() : new YAMLSeq();
    this.store(c, node, true);
    return node;
  }

  private field(
    c: Candidate,
    key: string,
    update: boolean,
    optional: boolean,
  ): Candidate[] {
    let n = this.value(c);
    if (isNullNode(n) && update) {
      const created = this.createCollection(c, "map");
      if (created) n = created;
    }
    if (isMap(n)) {
      const pair = findPair(n, key, this.resolve);
      // A missing key is only added when something is stored into it.
      return [{
        node: (pair?.value ?? undefined) as ValueNode,
        slot: { kind: "map", map: n, key },
        doc: c.doc,
      }];
    }
    if (isNullNode(n)) return [{ node: undefined, doc: c.doc }];
    if (optional) return [];
    if (isSeq(n)) {
      throw new YqError(
        `cannot index array with '${key}' (use .[] to iterate over its items)`,
      );
    }
    return [{ node: undefined, doc: c.doc }];
  }

  private index(
    c: Candidate,
    idx: ValueNode,
    update: boolean,
    optional: boolean,
  ): Candidate[] {
    const key = this.js(idx);
    if (typeof key === "string") return this.field(c, key, update, optional);
    if (typeof key !== "number" || !Number.isInteger(key)) {
      if (optional) return [];
      throw new YqError(`cannot index with ${tagOf(idx)}`);
    }
    let n = this.value(c);
    if (isNullNode(n) && update) {
      const created = this.createCollection(c, "seq");
      if (created) n = created;
    }
    if (isSeq(n)) {
      const i = key < 0 ? n.items.length + key : key;
      if (i < 0) return [{ node: undefined, doc: c.doc }];
      if (i >= n.items.length && update) {
        while (n.items.length <= i) n.items.push(new Scalar(null));
      }
      const item = n.items[i] as ValueNode;
      return [{
        node: item,
        slot: { kind: "seq", seq: n, item, index: i },
        doc: c.doc,
      }];
    }
    if (isMap(n)) return this.field(c, String(key), update, optional);
    if (optional) return [];
    return [{ node: undefined, doc: c.doc }];
  }

  private slice(
    c: Candidate,
    ast: Extract<Ast, { kind: "slice" }>,
    scope: Scope,
  ): Candidate[] {
    const bound = (a: Ast | undefined) => {
      if (!a) return undefined;
      const v = this.js(
        this.value(
          this.ev(a, [c], scope, false)[0] ?? { node: undefined, doc: c.doc },
        ),
      );
      if (typeof v !== "number") {
        throw new YqError("slice bounds must be numbers");
      }
      return v;
    };
    const n = this.value(c);
    const from = bound(ast.from);
    const to = bound(ast.to);
    if (isSeq(n)) {
      const seq = new YAMLSeq();
      seq.items = n.items.slice(from, to);
      return [{ node: seq, doc: c.doc }];
    }
    const v = this.js(n);
    if (typeof v === "string") return [this.scalar(v.slice(from, to), c.doc)];
    if (v === null) return [{ node: undefined, doc: c.doc }];
    throw new YqError(`cannot slice ${tagOf(n)}`);
  }

  private iterate(c: Candidate, optional: boolean): Candidate[] {
    const n = this.value(c);
    if (isSeq(n)) {
      return n.items.map((item, index) => ({
        node: item as ValueNode,
        slot: { kind: "seq", seq: n, item: item as ValueNode, index },
        doc: c.doc,
      }));
    }
    if (isMap(n)) {
      return n.items.map((pair) => ({
        node: (pair.value ?? undefined) as ValueNode,
        slot: {
          kind: "map",
          map: n,
          key: keyString(pair.key as ValueNode, this.resolve),
        },
        doc: c.doc,
      }));
    }
    if (isNullNode(n) || optional) return [];
    throw new YqError(`cannot iterate over ${tagOf(n)}`);
  }

  private object(
    c: Candidate,
    entries: { key: Ast; value: Ast }[],
    scope: Scope,
  ): Candidate[] {
    let partial: [string, ValueNode][][] = [[]];
    for (const entry of entries) {
      const keys = this.ev(entry.key, [c], scope, false);
      const values = this.ev(entry.value, [c], scope, false);
      const next: [string, ValueNode][][] = [];
      for (const p of partial) {
        for (const k of keys) {
          const kv = this.js(this.value(k));
          if (kv !== null && typeof kv === "object") {
            throw new YqError(
              `object keys must be scalars, got ${tagOf(k.node)}`,
            );
          }
          for (const v of values) next.push([...p, [String(kv), v.node]]);
        }
      }
      partial = next;
    }
    return partial.map((pairs) => {
      const map = new YAMLMap();
      for (const [k, v] of pairs) {
        const existing = findPair(map, k, this.resolve);
        const value = v ?? new Scalar(null);
        if (existing) existing.value = value;
        else map.items.push(new Pair(new Scalar(k), value));
      }
      return { node: map, doc: c.doc };
    });
  }

  // ---- operators ----

  /** yq evaluates binary operators once over all root documents, otherwise per candidate. */
  private perContext(
    ctx: Candidate[],
    fn: (group: Candidate[]) => Candidate[],
  ): Candidate[] {
    if (ctx.length > 0 && ctx.every((c) => c.together)) return fn(ctx);
    return ctx.flatMap((c) => fn([c]));
  }

  private binary(
    op: BinaryOp,
    left: Ast,
    right: Ast,
    ctx: Candidate[],
    scope: Scope,
  ): Candidate[] {
    return this.perContext(ctx, (group) => {
      const doc = group[0].doc;
      const lhs = this.ev(left, group, scope, false);
      if (op === "//") {
        const good = lhs.filter((c) => this.truthy(c));
        return good.length ? good : this.ev(right, group, scope, false);
      }
      if (op === "and" || op === "or") {
        const out: Candidate[] = [];
        for (const l of lhs) {
          const lt = this.truthy(l);
          if (op === "and" && !lt) out.push(this.scalar(false, doc));
          else if (op === "or" && lt) out.push(this.scalar(true, doc));
          else {for (const r of this.ev(right, group, scope, false)) {
              out.push(this.scalar(this.truthy(r), doc));
            }}
        }
        return out;
      }
      const rhs = this.ev(right, group, scope, false);
      const out: Candidate[] = [];
      for (const l of lhs) {
        for (const r of rhs) {
          out.push({
            node: this.compute(op, this.value(l), this.value(r)),
            doc: l.doc,
          });
        }
      }
      return out;
    });
  }

  /** The result of `a OP b` as a new node (collections reuse the operands' item nodes). */
  private compute(op: BinaryOp, a: ValueNode, b: ValueNode): Node {
    const av = this.js(a);
    const bv = this.js(b);
    switch (op) {
      case "==":
        return new Scalar(equalValues(av, bv));
      case "!=":
        return new Scalar(!equalValues(av, bv));
      case "<":
        return new Scalar(compareValues(av, bv) < 0);
      case "<=":
        return new Scalar(compareValues(av, bv) <= 0);
      case ">":
        return new Scalar(compareValues(av, bv) > 0);
      case ">=":
        return new Scalar(compareValues(av, bv) >= 0);
      case "+":
        return this.add(a, b);
      case "-":
        return this.subtract(a, b);
      case "*":
        return this.multiply(a, b);
      case "/":
      case "%":
        if (typeof av === "number" && typeof bv === "number") {
          if (bv === 0) throw new YqError("cannot divide by zero");
          return new Scalar(op === "/" ? av / bv : av % bv);
        }
        if (op === "/" && typeof av === "string" && typeof bv === "string") {
          return fromJS(av.split(bv));
        }
        throw new YqError(
          `${tagOf(a)} cannot be ${op === "/" ? "divided" : "modulo-ed"} by ${
            tagOf(b)
          }`,
        );
      default:
        throw new YqError(`unknown operator ${op}`);
    }
  }

  private add(a: ValueNode, b: ValueNode): Node {
    if (isNullNode(a)) return b ?? new Scalar(null);
    if (isNullNode(b)) return a!;
    if (isSeq(a)) {
      const seq = new YAMLSeq();
      seq.flow = a.flow;
      seq.items = [...a.items, ...(isSeq(b) ? b.items : [b])];
      return seq;
    }
    if (isMap(a) && isMap(b)) {
      const map = new YAMLMap();
      map.flow = a.flow;
      map.items = [...a.items];
      for (const pair of b.items) {
        const key = keyString(pair.key as ValueNode, this.resolve);
        const i = map.items.findIndex((p) =>
          keyString(p.key as ValueNode, this.resolve) === key
        );
        if (i >= 0) map.items[i] = new Pair(map.items[i].key, pair.value);
        else map.items.push(pair);
      }
      return map;
    }
    const av = this.js(a);
    const bv = this.js(b);
    if (typeof av === "number" && typeof bv === "number") {
      return this.number(av + bv, a, b);
    }
    if (
      typeof av === "string" &&
      (typeof bv === "string" || typeof bv === "number" ||
        typeof bv === "boolean")
    ) {
      return new Scalar(av + String(bv));
    }
    throw new YqError(`${tagOf(a)} cannot be added to a ${tagOf(b)}`);
  }

  private subtract(a: ValueNode, b: ValueNode): Node {
    if (isSeq(a)) {
      const remove = isSeq(b)
        ? b.items.map((i) => this.js(i as Node))
        : [this.js(b)];
      const seq = new YAMLSeq();
      seq.flow = a.flow;
      seq.items = a.items.filter((i) =>
        !remove.some((r) => equalValues(this.js(i as Node), r))
      );
      return seq;
    }
    const av = this.js(a);
    const bv = this.js(b);
    if (typeof av === "number" && typeof bv === "number") {
      return this.number(av - bv, a, b);
    }
    if (av === null && typeof bv === "number") return new Scalar(-bv);
    throw new YqError(`${tagOf(b)} cannot be subtracted from ${tagOf(a)}`);
  }

  /** `*`: numbers multiply, maps merge deeply (right wins), like yq. */
  private multiply(a: ValueNode, b: ValueNode): Node {
    if (isMap(a) && isMap(b)) {
      const map = cloneNode(a) as YAMLMap;
      for (const pair of b.items) {
        const key = keyString(pair.key as ValueNode, this.resolve);
        const existing = findPair(map, key, this.resolve);
        const bv = deref(pair.value as ValueNode, this.resolve);
        if (existing) {
          const av = deref(existing.value as ValueNode, this.resolve);
          const merged = isMap(av) && isMap(bv)
            ? this.multiply(av, bv)
            : cloneNode(bv);
          carryComments(existing.value as ValueNode, merged);
          existing.value = merged;
        } else {
          map.items.push(
            new Pair(cloneNode(pair.key as ValueNode), cloneNode(bv)),
          );
        }
      }
      return map;
    }
    if (isNullNode(a) && (isMap(b) || isSeq(b))) return cloneNode(b);
    if ((isMap(a) || isSeq(a)) && isNullNode(b)) return cloneNode(a);
    if (isSeq(a) && isSeq(b)) return cloneNode(b);
    const av = this.js(a);
    const bv = this.js(b);
    if (typeof av === "number" && typeof bv === "number") {
      return this.number(av * bv, a, b);
    }
    throw new YqError(`${tagOf(a)} cannot be multiplied by ${tagOf(b)}`);
  }

  private number(value: number, a: ValueNode, b: ValueNode): Scalar {
    const node = new Scalar(value);
    const isFloat = tagOf(a) === "!!float" || tagOf(b) === "!!float";
    if (isFloat && Number.isInteger(value)) node.minFractionDigits = 1;
    return node;
  }

  private assign(
    op: AssignOp,
    left: Ast,
    right: Ast,
    ctx: Candidate[],
    scope: Scope,
  ): Candidate[] {
    for (const c of ctx) {
      if (op === "|=") {
        for (const l of this.ev(left, [c], scope, true)) {
          const r = this.ev(right, [{ ...l }], scope, false)[0];
          if (r) this.store(l, cloneNode(r.node));
        }
        continue;
      }
      // `=` and the compound forms evaluate the right side against the context, once.
      const r = this.ev(right, [c], scope, false)[0];
      if (!r) continue;
      for (const l of this.ev(left, [c], scope, true)) {
        let node: Node;
        if (op === "=") node = cloneNode(r.node);
        else if (op === "//=") {
          node = cloneNode(this.truthy(l) ? l.node : r.node);
        } else {node = cloneNode(
            this.compute(
              op.slice(0, -1) as BinaryOp,
              this.value(l),
              this.value(r),
            ),
          );}
        this.store(l, node);
      }
    }
    return ctx.map((c) => this.refresh(c));
  }

  /** Re-reads a candidate from where it lives (after its value was replaced). */
  private refresh(c: Candidate): Candidate {
    const slot = c.slot;
    if (!slot) return c;
    if (slot.kind === "root") return { ...c, node: slot.get() };
    if (slot.kind === "map") {
      return {
        ...c,
        node: (findPair(slot.map, slot.key, this.resolve)?.value ??
          undefined) as ValueNode,
      };
    }
    return c;
  }

  private delete(path: Ast, ctx: Candidate[], scope: Scope): Candidate[] {
    for (const c of ctx) {
      const targets = this.ev(path, [c], scope, false);
      for (const t of targets) {
        const slot = t.slot;
        if (!slot) continue;
        if (slot.kind === "map") {
          const i = slot.map.items.findIndex((p) =>
            keyString(p.key as ValueNode, this.resolve) === slot.key
          );
          if (i >= 0) this.removeItem(slot.map.items, i);
        } else if (slot.kind === "seq") {
          const i = slot.seq.items.indexOf(slot.item as Node);
          if (i >= 0) this.removeItem(slot.seq.items, i);
        } else {
          slot.set(new Scalar(null));
        }
      }
    }
    return ctx.map((c) => this.refresh(c));
  }

  /** Removes an item; a blank line before it moves to the item that takes its place. */
  private removeItem(items: unknown[], i: number): void {
    const removed = items[i] as Node | Pair;
    items.splice(i, 1);
    const first = (
      n: Node | Pair,
    ) => (n instanceof Pair ? n.key as Node | null : n);
    const gone = first(removed);
    const next = items[i] as Node | Pair | undefined;
    const nextHead = next ? first(next) : undefined;
    if (gone && nextHead && typeof nextHead === "object" && gone.spaceBefore) {
      nextHead.spaceBefore = true;
    }
  }

  // ---- functions ----

  private arity(name: string, args: Ast[], ...counts: number[]): void {
    if (!counts.includes(args.length)) {
      throw new YqError(
        `${name} takes ${counts.join(" or ")} argument(s), got ${args.length}`,
      );
    }
  }

  private call(
    name: string,
    args: Ast[],
    ctx: Candidate[],
    scope: Scope,
  ): Candidate[] {
    const each = (fn: (c: Candidate) => Candidate[]) => ctx.flatMap(fn);
    const one = (fn: (c: Candidate, n: ValueNode) => unknown) =>
      each((c) => [this.scalar(fn(c, this.value(c)), c.doc)]);
    const nodeOut = (fn: (c: Candidate, n: ValueNode) => Node) =>
      each((c) => [{ node: fn(c, this.value(c)), doc: c.doc }]);
    const argValues = (c: Candidate, i: number) =>
      this.ev(args[i], [c], scope, false);
    const argJS = (c: Candidate, i: number) => {
      const r = argValues(c, i)[0];
      return r ? this.js(this.value(r)) : null;
    };
    const seqOf = (n: ValueNode, what: string): YAMLSeq => {
      if (isSeq(n)) return n;
      throw new YqError(
        `${what} can only be applied to arrays, got ${tagOf(n)}`,
      );
    };

    if (FILE_OPERATORS.has(name)) {
      throw new YqError("file operations have been disabled");
    }
    switch (name) {
      case "system":
        throw new YqError(
          "system operations are disabled, use --security-enable-system-operator flag to enable",
        );
      case "env":
      case "strenv":
      case "envsubst": {
        if (!this.options.envOps) {
          throw new YqError("env operations have been disabled");
        }
        if (name === "envsubst") {
          return one((_c, n) =>
            String(this.js(n) ?? "").replace(
              /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
              (_m, a, b) => Deno.env.get(a ?? b) ?? "",
            )
          );
        }
        this.arity(name, args, 1);
        return each((c) => {
          const key = String(argJS(c, 0));
          const raw = Deno.env.get(key);
          if (name === "strenv") return [this.scalar(raw ?? "", c.doc)];
          if (raw === undefined) return [this.scalar(null, c.doc)];
          return [{ node: parseScalarText(raw), doc: c.doc }];
        });
      }
      case "empty":
        return [];
      case "error":
        return each((c) => {
          throw new YqError(
            String(args.length ? argJS(c, 0) : this.js(this.value(c))),
          );
        });
      case "not":
        return detach(each((c) => [this.scalar(!this.truthy(c), c.doc)]));
      case "select":
        this.arity(name, args, 1);
        return each((c) =>
          argValues(c, 0).some((r) => this.truthy(r)) ? [c] : []
        );
      case "del":
        this.arity(name, args, 1);
        return this.delete(args[0], ctx, scope);
      case "with":
        this.arity(name, args, 2);
        for (const c of ctx) {
          for (const target of this.ev(args[0], [c], scope, true)) {
            this.ev(args[1], [target], scope, false);
          }
        }
        return ctx.map((c) => this.refresh(c));
      case "length":
        return each((c) => {
          const n = this.value(c);
          if (isSeq(n) || isMap(n)) {
            return detach([this.scalar(n.items.length, c.doc)]);
          }
          const v = this.js(n);
          if (v === null) return [this.scalar(0, c.doc)];
          if (typeof v === "string") return [this.scalar([...v].length, c.doc)];
          if (typeof v === "number") return [this.scalar(Math.abs(v), c.doc)];
          throw new YqError(`cannot get the length of ${tagOf(n)}`);
        });
      case "keys":
        return detach(one((_c, n) => {
          if (isMap(n)) return n.items.map((p) => this.js(p.key as ValueNode));
          if (isSeq(n)) return n.items.map((_, i) => i);
          throw new YqError(`cannot get keys of ${tagOf(n)}`);
        }));
      case "has":
        this.arity(name, args, 1);
        return detach(one((c, n) => {
          const k = argJS(c, 0);
          if (isMap(n)) {
            return findPair(n, String(k), this.resolve) !== undefined;
          }
          if (isSeq(n)) {
            return typeof k === "number" && k >= -n.items.length &&
              k < n.items.length;
          }
          return false;
        }));
      case "map":
        this.arity(name, args, 1);
        return nodeOut((c) => {
          const seq = new YAMLSeq();
          for (const item of this.iterate(c, false)) {
            for (const r of this.ev(args[0], [item], scope, false)) {
              seq.items.push(r.node ?? new Scalar(null));
            }
          }
          return seq;
        });
      case "map_values":
        this.arity(name, args, 1);
        return this.assign(
          "|=",
          { kind: "iterate", target: { kind: "identity" }, optional: false },
          args[0],
          ctx,
          scope,
        );
      case "to_entries":
        return nodeOut((c, n) => {
          const seq = new YAMLSeq();
          for (const item of this.iterate(c, false)) {
            const slot = item.slot!;
            const key = slot.kind === "map"
              ? findPair(slot.map, slot.key, this.resolve)!.key as Node
              : new Scalar((slot as { index: number }).index);
            const map = new YAMLMap();
            map.items.push(
              new Pair(new Scalar("key"), key),
              new Pair(new Scalar("value"), item.node ?? new Scalar(null)),
            );
            seq.items.push(map);
          }
          if (!isMap(n) && !isSeq(n)) {
            throw new YqError(`to_entries cannot be applied to ${tagOf(n)}`);
          }
          return seq;
        });
      case "from_entries":
        return nodeOut((_c, n) => this.fromEntries(seqOf(n, "from_entries")));
      case "with_entries":
        this.arity(name, args, 1);
        return this.call("to_entries", [], ctx, scope).flatMap((entries) => {
          const mapped = this.call("map", args, [entries], scope);
          return this.call("from_entries", [], mapped, scope);
        });
      case "unique":
      case "unique_by":
        this.arity(name, args, name === "unique" ? 0 : 1);
        return nodeOut((c, n) => {
          const src = seqOf(n, name);
          const seen: unknown[] = [];
          const seq = new YAMLSeq();
          seq.flow = src.flow;
          for (const [i, item] of src.items.entries()) {
            const key = name === "unique"
              ? this.js(item as Node)
              : this.byKey(args[0], item as Node, src, i, c, scope);
            if (seen.some((s) => equalValues(s, key))) continue;
            seen.push(key);
            seq.items.push(item);
          }
          return seq;
        });
      case "sort":
      case "sort_by":
        this.arity(name, args, name === "sort" ? 0 : 1);
        return nodeOut((c, n) => {
          const src = seqOf(n, name);
          const keyed = src.items.map((item, i) => ({
            item,
            key: name === "sort"
              ? this.js(item as Node)
              : this.byKey(args[0], item as Node, src, i, c, scope),
          }));
          keyed.sort((x, y) => compareValues(x.key, y.key));
          const seq = new YAMLSeq();
          seq.flow = src.flow;
          seq.items = keyed.map((k) => k.item);
          return seq;
        });
      case "group_by":
        this.arity(name, args, 1);
        return nodeOut((c, n) => {
          const src = seqOf(n, name);
          const groups: { key: unknown; items: unknown[] }[] = [];
          src.items.forEach((item, i) => {
            const key = this.byKey(args[0], item as Node, src, i, c, scope);
            const g = groups.find((x) => equalValues(x.key, key));
            if (g) g.items.push(item);
            else groups.push({ key, items: [item] });
          });
          groups.sort((x, y) => compareValues(x.key, y.key));
          const seq = new YAMLSeq();
          for (const g of groups) {
            const inner = new YAMLSeq();
            inner.items = g.items;
            seq.items.push(inner);
          }
          return seq;
        });
      case "reverse":
        return nodeOut((_c, n) => {
          if (typeof this.js(n) === "string") {
            return new Scalar([...String(this.js(n))].reverse().join(""));
          }
          const src = seqOf(n, name);
          const seq = new YAMLSeq();
          seq.flow = src.flow;
          seq.items = [...src.items].reverse();
          return seq;
        });
      case "first":
      case "last":
        if (args.length === 1) {
          return each((c) => {
            const results = name === "first"
              ? this.call("select", args, this.iterate(c, false), scope)
              : this.call("select", args, this.iterate(c, false), scope)
                .reverse();
            return results.slice(0, 1);
          });
        }
        return each((c) => {
          const items = this.iterate(c, true);
          const pick = name === "first" ? items[0] : items[items.length - 1];
          return pick ? [pick] : [];
        });
      case "add":
        return nodeOut((_c, n) => {
          let acc: Node = new Scalar(null);
          for (const item of seqOf(n, name).items) {
            acc = this.add(acc, deref(item as Node, this.resolve));
          }
          return acc;
        });
      case "min":
      case "max":
        return each((c) => {
          const items = seqOf(this.value(c), name).items;
          if (items.length === 0) return [{ node: undefined, doc: c.doc }];
          const best = items.reduce((x, y) => {
            const cmp = compareValues(this.js(x as Node), this.js(y as Node));
            return (name === "min" ? cmp <= 0 : cmp >= 0) ? x : y;
          });
          return [{ node: best as Node, doc: c.doc }];
        });
      case "flatten":
        return nodeOut((c, n) => {
          const depth = args.length ? Number(argJS(c, 0)) : Infinity;
          const flat = (items: unknown[], d: number): unknown[] =>
            items.flatMap((i) => {
              const inner = deref(i as Node, this.resolve);
              return isSeq(inner) && d > 0 ? flat(inner.items, d - 1) : [i];
            });
          const seq = new YAMLSeq();
          seq.items = flat(seqOf(n, name).items, depth);
          return seq;
        });
      case "any":
      case "all":
        return one((c, n) => {
          const items = this.iterate({ node: n, doc: c.doc }, false);
          const test = (i: Candidate) =>
            args.length
              ? argValues(i, 0).some((r) => this.truthy(r))
              : this.truthy(i);
          return name === "any" ? items.some(test) : items.every(test);
        });
      case "contains":
        this.arity(name, args, 1);
        return one((c, n) => containsValue(this.js(n), argJS(c, 0)));
      case "inside":
        this.arity(name, args, 1);
        return one((c, n) => containsValue(argJS(c, 0), this.js(n)));
      case "test":
      case "match":
      case "capture":
        return this.regexCall(name, args, ctx, scope);
      case "sub":
      case "gsub":
        this.arity(name, args, 2, 3);
        return one((c, n) => {
          const flags = (args.length === 3 ? String(argJS(c, 2)) : "") +
            (name === "gsub" ? "g" : "");
          return this.str(n, name).replace(
            this.regex(argJS(c, 0), flags),
            String(argJS(c, 1)),
          );
        });
      case "split":
        this.arity(name, args, 1);
        return one((c, n) => this.str(n, name).split(String(argJS(c, 0))));
      case "join":
        this.arity(name, args, 1);
        return one((c, n) =>
          seqOf(n, name).items.map((i) => {
            const v = this.js(i as Node);
            return v === null ? "" : String(v);
          }).join(String(argJS(c, 0)))
        );
      case "startswith":
      case "endswith":
        this.arity(name, args, 1);
        return one((c, n) => {
          const s = this.str(n, name);
          const p = String(argJS(c, 0));
          return name === "startswith" ? s.startsWith(p) : s.endsWith(p);
        });
      case "ltrimstr":
      case "rtrimstr":
        this.arity(name, args, 1);
        return one((c, n) => {
          const v = this.js(n);
          const p = String(argJS(c, 0));
          if (typeof v !== "string") return v;
          if (name === "ltrimstr") {
            return v.startsWith(p) ? v.slice(p.length) : v;
          }
          return v.endsWith(p) ? v.slice(0, v.length - p.length) : v;
        });
      case "trim":
        return one((_c, n) => this.str(n, name).trim());
      case "ascii_downcase":
      case "downcase":
        return one((_c, n) => this.str(n, name).toLowerCase());
      case "ascii_upcase":
      case "upcase":
        return one((_c, n) => this.str(n, name).toUpperCase());
      case "tostring":
        return one((_c, n) => {
          const v = this.js(n);
          return typeof v === "string"
            ? v
            : isScalar(n) && n.source
            ? n.source
            : JSON.stringify(v);
        });
      case "tonumber":
        return one((_c, n) => {
          const v = this.js(n);
          const num = typeof v === "number" ? v : Number(v);
          if (
            typeof v === "boolean" || v === null || v === "" ||
            Number.isNaN(num)
          ) {
            throw new YqError(
              `cannot convert ${JSON.stringify(v)} to a number`,
            );
          }
          return num;
        });
      case "type":
      case "tag":
        return detach(one((_c, n) => tagOf(n)));
      case "key":
        return each((c) => {
          const slot = c.slot;
          if (slot?.kind === "map") return [this.scalar(slot.key, c.doc)];
          if (slot?.kind === "seq") return [this.scalar(slot.index, c.doc)];
          return [this.scalar(null, c.doc)];
        });
      case "document_index":
      case "di":
        return detach(one((c) => c.doc));
      case "to_json":
      case "tojson":
      case "to_yaml":
      case "to_string":
        return ctx.map((c) =>
          this.scalar(
            this.format(name === "to_yaml" ? "yaml" : "json", c),
            c.doc,
          )
        );
      case "from_json":
      case "fromjson":
      case "from_yaml":
        return one((_c, n) => {
          try {
            return JSON.parse(this.str(n, name));
          } catch (err) {
            throw new YqError(`${name}: ${(err as Error).message}`);
          }
        });
      case "pick":
        this.arity(name, args, 1);
        return nodeOut((c, n) => {
          const keys = argJS(c, 0);
          if (!Array.isArray(keys)) {
            throw new YqError("pick expects an array of keys");
          }
          if (isMap(n)) {
            const map = new YAMLMap();
            for (const k of keys) {
              const p = findPair(n, String(k), this.resolve);
              if (p) map.items.push(p);
            }
            return map;
          }
          const seq = new YAMLSeq();
          for (const k of keys) {
            if (isSeq(n) && typeof k === "number" && k < n.items.length) {
              seq.items.push(n.items[k]);
            }
          }
          return seq;
        });
      case "omit":
        this.arity(name, args, 1);
        return nodeOut((c, n) => {
          const keys = (argJS(c, 0) as unknown[] ?? []).map(String);
          if (!isMap(n)) {
            throw new YqError(
              `omit can only be applied to maps, got ${tagOf(n)}`,
            );
          }
          const map = new YAMLMap();
          map.items = n.items.filter((p) =>
            !keys.includes(keyString(p.key as ValueNode, this.resolve))
          );
          return map;
        });
      case "recurse":
        return ctx.flatMap((c) => this.recurse(c));
      case "line_comment":
      case "head_comment":
      case "foot_comment":
        return one((_c, n) => {
          const raw = n === undefined
            ? ""
            : name === "line_comment"
            ? n.comment
            : name === "head_comment"
            ? n.commentBefore
            : "";
          return (raw ?? "").replace(LINE_COMMENT, "").split("\n").map((l) =>
            l.replace(/^ /, "")
          ).join("\n");
        });
      case "splitDoc":
        return ctx;
    }
    throw new YqError(
      `unknown operator or function ${JSON.stringify(name)}${
        args.length ? `/${args.length}` : ""
      }`,
    );
  }

  private byKey(
    f: Ast,
    item: Node,
    seq: YAMLSeq,
    index: number,
    c: Candidate,
    scope: Scope,
  ): unknown {
    const results = this.ev(
      f,
      [{ node: item, slot: { kind: "seq", seq, item, index }, doc: c.doc }],
      scope,
      false,
    );
    return results.map((r) => this.js(this.value(r)));
  }

  private fromEntries(seq: YAMLSeq): YAMLMap {
    const map = new YAMLMap();
    for (const entry of seq.items) {
      const e = deref(entry as Node, this.resolve);
      if (!isMap(e)) {
        throw new YqError(
          `from_entries expects entries to be maps, got ${tagOf(e)}`,
        );
      }
      const pick = (...names: string[]) => {
        for (const n of names) {
          const p = findPair(e, n, this.resolve);
          if (p) return p.value as ValueNode;
        }
        return undefined;
      };
      const key = pick("key", "k", "name", "Name", "Key", "K");
      const value = pick("value", "v", "Value", "V");
      const k = keyString(key, this.resolve);
      const existing = findPair(map, k, this.resolve);
      if (existing) existing.value = value ?? new Scalar(null);
      else {map.items.push(
          new Pair(key ?? new Scalar(null), value ?? new Scalar(null)),
        );}
    }
    return map;
  }

  private str(n: ValueNode, what: string): string {
    const v = this.js(n);
    if (typeof v !== "string") {
      throw new YqError(
        `${what} can only be applied to strings, got ${tagOf(n)}`,
      );
    }
    return v;
  }

  private regex(pattern: unknown, flags: string): RegExp {
    const clean = [
      ...new Set(flags.replace(/[^gimsux]/g, "").replace(/x/g, "")),
    ].join("");
    try {
      return new RegExp(String(pattern), clean);
    } catch (err) {
      throw new YqError(
        `invalid regular expression ${JSON.stringify(pattern)}: ${
          (err as Error).message
        }`,
      );
    }
  }

  private regexCall(
    name: string,
    args: Ast[],
    ctx: Candidate[],
    scope: Scope,
  ): Candidate[] {
    this.arity(name, args, 1, 2);
    return ctx.flatMap((c) => {
      const arg = (i: number) => {
        const r = this.ev(args[i], [c], scope, false)[0];
        return r ? this.js(this.value(r)) : null;
      };
      const s = this.str(this.value(c), name);
      const flags = args.length === 2 ? String(arg(1)) : "";
      if (name === "test") {
        return [
          this.scalar(
            this.regex(arg(0), flags.replace("g", "")).test(s),
            c.doc,
          ),
        ];
      }
      const re = this.regex(arg(0), flags.includes("g") ? flags : flags + "g");
      let matches = [...s.matchAll(re)];
      if (!flags.includes("g")) matches = matches.slice(0, 1);
      return matches.map((m) => {
        if (name === "capture") {
          return this.scalar({ ...(m.groups ?? {}) }, c.doc);
        }
        return this.scalar({
          string: m[0],
          offset: m.index,
          length: m[0].length,
          captures: m.slice(1).map((g) => ({ string: g ?? null })),
        }, c.doc);
      });
    });
  }

  private format(name: string, c: Candidate): string {
    const v = this.js(this.value(c));
    switch (name) {
      case "json":
        return JSON.stringify(v);
      case "yaml":
        return fromJS(v).toString();
      case "base64":
        return btoa(
          String.fromCharCode(
            ...new TextEncoder().encode(
              typeof v === "string" ? v : JSON.stringify(v),
            ),
          ),
        );
      case "base64d":
        try {
          return new TextDecoder().decode(
            Uint8Array.from(atob(String(v)), (ch) => ch.charCodeAt(0)),
          );
        } catch {
          throw new YqError(`cannot base64-decode ${JSON.stringify(v)}`);
        }
      case "text":
        return typeof v === "string" ? v : JSON.stringify(v);
      case "sh":
        return `'${String(v).replaceAll("'", "'\\''")}'`;
      case "uri":
        return encodeURIComponent(String(v));
    }
    throw new YqError(`unknown format @${name}`);
  }
}

/** jq's `contains`: substring for strings, recursive subset for collections. */
function containsValue(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.includes(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return b.every((x) => a.some((y) => containsValue(y, x)));
  }
  if (
    a && b && typeof a === "object" && typeof b === "object" &&
    !Array.isArray(a) && !Array.isArray(b)
  ) {
    return Object.entries(b).every(([k, v]) =>
      k in a && containsValue((a as Record<string, unknown>)[k], v)
    );
  }
  return equalValues(a, b);
}

/** An environment value as yq's `env` reads it: YAML-typed scalars (`42` is a number). */
function parseScalarText(raw: string): Node {
  if (/^-?[0-9]+$/.test(raw)) return new Scalar(Number(raw));
  if (/^-?[0-9]*\.[0-9]+([eE][+-]?[0-9]+)?$/.test(raw)) {
    return new Scalar(Number(raw));
  }
  if (raw === "true" || raw === "false") return new Scalar(raw === "true");
  if (raw === "null" || raw === "~" || raw === "") return new Scalar(null);
  return new Scalar(raw);
}
