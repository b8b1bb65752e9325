#!/usr/bin/env python3
"""lima-yq: the yq that `yq` provisions use in guests without mikefarah's yq.

Evaluates the common part of the yq v4 expression language on YAML and JSON files, with the
command-line flags boot.sh passes:

  lima-yq [--inplace] [--null-input] [--from-file FILE | EXPRESSION]
          [--input-format yaml|json] [--output-format yaml|json] [FILE]

Supported: paths (.a.b, ."key", .[0], .[]), literals, arrays and objects, `|`, `,`,
`=`, `|=`, `+=`, `-=`, `*=`, `//=`, `+`, `-`, `*` (deep merge), `/`, `%`, `//`, comparisons,
`and`, `or`, `if … then … elif … else … end`, and the functions del, select, has, keys,
length, not. Comments and quoting styles of a YAML file are not kept. YAML needs PyYAML,
which every guest with cloud-init has.
"""
import copy
import json
import os
import re
import sys


class YqError(Exception):
    pass


OPERATORS = ["//=", "|=", "+=", "-=", "*=", "/=", "%=", "==", "!=", "<=", ">=", "//",
             "|", ",", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", "{",
             "}", ":", "?", ";"]
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0", '"': '"',
           "\\": "\\", "/": "/"}
KEY_CHAR = re.compile(r"[\w-]")
NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
FUNCTIONS = {"del", "select", "has", "keys", "length", "not"}


def read_string(src, start):
    i, out = start + 1, []
    while i < len(src):
        c = src[i]
        if c == '"':
            return "".join(out), i + 1
        if c == "\\":
            n = src[i + 1:i + 2]
            if n == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", src[i + 2:i + 6]):
                out.append(chr(int(src[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(ESCAPES.get(n, c + n))
            i += 2
            continue
        out.append(c)
        i += 1
    raise YqError("unterminated string")


def tokenize(src):
    tokens, i = [], 0
    while i < len(src):
        c = src[i]
        if c.isspace():
            i += 1
        elif c == "#":
            while i < len(src) and src[i] != "\n":
                i += 1
        elif c == ".":
            if src[i + 1:i + 2] == ".":
                raise YqError("recursive descent (..) is not supported")
            if src[i + 1:i + 2] == '"':
                value, i = read_string(src, i + 1)
                tokens.append(("field", value))
                continue
            j = i + 1
            while j < len(src) and KEY_CHAR.match(src[j]):
                j += 1
            tokens.append(("field", src[i + 1:j]) if j > i + 1 else ("dot", "."))
            i = j
        elif c == '"':
            value, i = read_string(src, i)
            tokens.append(("string", value))
        elif c.isdigit():
            m = NUMBER.match(src, i)
            tokens.append(("number", m.group(0)))
            i = m.end()
        elif c.isalpha() or c == "_":
            j = i + 1
            while j < len(src) and (src[j].isalnum() or src[j] == "_"):
                j += 1
            tokens.append(("ident", src[i:j]))
            i = j
        else:
            op = next((o for o in OPERATORS if src.startswith(o, i)), None)
            if op is None:
                raise YqError("invalid input text %s" % json.dumps(src[i:]))
            tokens.append(("op", op))
            i += len(op)
    tokens.append(("eof", ""))
    return tokens


ASSIGN = {"=", "|=", "+=", "-=", "*=", "/=", "%=", "//="}
COMPARE = {"==", "!=", "<", "<=", ">", ">="}
ARITHMETIC = {"+", "-", "*", "/", "%", "//"}


class Parser:
    """Precedence as in yq, loosest first: `,` < and/or < `|` < assignment and comparison
    < arithmetic and `//` < paths."""

    def __init__(self, src):
        self.tokens = tokenize(src)
        self.i = 0

    def peek(self):
        return self.tokens[self.i]

    def next(self):
        self.i += 1
        return self.tokens[self.i - 1]

    def is_op(self, text):
        return self.peek() == ("op", text)

    def is_ident(self, text):
        return self.peek() == ("ident", text)

    def expect(self, text):
        if not self.is_op(text):
            self.fail("'%s'" % text)
        self.i += 1

    def fail(self, what=None):
        kind, text = self.peek()
        if kind == "eof":
            raise YqError("unexpected end of expression" + (", expected " + what if what else ""))
        raise YqError("unexpected %s" % json.dumps(text) + (" (expected %s)" % what if what else ""))

    def parse(self):
        if self.peek()[0] == "eof":
            return ("identity",)
        ast = self.union()
        if self.peek()[0] != "eof":
            self.fail()
        return ast

    def union(self):
        left = self.logic()
        while self.is_op(","):
            self.i += 1
            left = ("comma", left, self.logic())
        return left

    def logic(self):
        left = self.pipe()
        while self.is_ident("and") or self.is_ident("or"):
            left = ("binary", self.next()[1], left, self.pipe())
        return left

    def pipe(self):
        left = self.relation()
        while self.is_op("|"):
            self.i += 1
            left = ("pipe", left, self.relation())
        return left

    def relation(self):
        left = self.arithmetic()
        while True:
            kind, text = self.peek()
            if kind == "op" and text in ASSIGN:
                self.i += 1
                left = ("assign", text, left, self.arithmetic())
            elif kind == "op" and text in COMPARE:
                self.i += 1
                left = ("binary", text, left, self.arithmetic())
            else:
                return left

    def arithmetic(self):
        left = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ARITHMETIC:
            left = ("binary", self.next()[1], left, self.unary())
        return left

    def unary(self):
        if self.is_op("-"):
            self.i += 1
            return ("binary", "-", ("literal", 0), self.unary())
        return self.postfix(self.primary())

    def postfix(self, target):
        while True:
            kind, text = self.peek()
            if kind == "field":
                self.i += 1
                target = ("field", target, text, self.optional())
            elif kind == "dot" and self.tokens[self.i + 1] == ("op", "["):
                self.i += 1
            elif self.is_op("["):
                self.i += 1
                if self.is_op("]"):
                    self.i += 1
                    target = ("iterate", target, self.optional())
                else:
                    index = self.union()
                    self.expect("]")
                    target = ("index", target, index, self.optional())
            else:
                return target

    def optional(self):
        if self.is_op("?"):
            self.i += 1
            return True
        return False

    def primary(self):
        kind, text = self.next()
        if kind == "dot":
            return ("identity",)
        if kind == "field":
            return ("field", ("identity",), text, self.optional())
        if kind == "string":
            return ("literal", text)
        if kind == "number":
            return ("literal", float(text) if re.search(r"[.eE]", text) else int(text))
        if kind == "ident":
            return self.identifier(text)
        if (kind, text) == ("op", "("):
            inner = self.union()
            self.expect(")")
            return inner
        if (kind, text) == ("op", "["):
            if self.is_op("]"):
                self.i += 1
                return ("array", None)
            body = self.union()
            self.expect("]")
            return ("array", body)
        if (kind, text) == ("op", "{"):
            return self.object()
        self.i -= 1
        return self.fail()

    def identifier(self, name):
        if name in ("true", "false", "null"):
            return ("literal", {"true": True, "false": False, "null": None}[name])
        if name == "if":
            return self.conditional()
        if name not in FUNCTIONS:
            raise YqError("%s is not supported by lima-yq (install yq in the guest)" % name)
        args = []
        if self.is_op("("):
            self.i += 1
            args.append(self.union())
            while self.is_op(";"):
                self.i += 1
                args.append(self.union())
            self.expect(")")
        return ("call", name, args)

    def conditional(self):
        cond = self.union()
        if not self.is_ident("then"):
            self.fail("'then'")
        self.i += 1
        then = self.union()
        if self.is_ident("elif"):
            self.i += 1
            return ("if", cond, then, self.conditional())
        otherwise = None
        if self.is_ident("else"):
            self.i += 1
            otherwise = self.union()
        if not self.is_ident("end"):
            self.fail("'end'")
        self.i += 1
        return ("if", cond, then, otherwise)

    def object(self):
        entries = []
        while not self.is_op("}"):
            kind, text = self.next()
            if kind in ("ident", "number", "string"):
                key = ("literal", text)
                shorthand = ("field", ("identity",), text, False)
            elif kind == "field":
                key = self.postfix(("field", ("identity",), text, False))
                shorthand = None
            elif (kind, text) == ("op", "("):
                key = self.union()
                self.expect(")")
                shorthand = None
            else:
                self.i -= 1
                return self.fail("an object key")
            if self.is_op(":"):
                self.i += 1
                value = self.logic()
            elif shorthand:
                value = shorthand
            else:
                return self.fail("':'")
            entries.append((key, value))
            if self.is_op(","):
                self.i += 1
            elif not self.is_op("}"):
                self.fail("',' or '}'")
        self.i += 1
        return ("object", entries)


def type_name(v):
    if v is None:
        return "!!null"
    if isinstance(v, bool):
        return "!!bool"
    if isinstance(v, int):
        return "!!int"
    if isinstance(v, float):
        return "!!float"
    if isinstance(v, str):
        return "!!str"
    if isinstance(v, list):
        return "!!seq"
    return "!!map"


def truthy(v):
    return v is not None and v is not False


def deep_merge(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = deep_merge(out[k], v) if k in out else copy.deepcopy(v)
        return out
    if a is None and isinstance(b, (dict, list)):
        return copy.deepcopy(b)
    if isinstance(a, (dict, list)) and b is None:
        return copy.deepcopy(a)
    if isinstance(a, list) and isinstance(b, list):
        return copy.deepcopy(b)
    if is_number(a) and is_number(b):
        return a * b
    raise YqError("%s cannot be multiplied by %s" % (type_name(a), type_name(b)))


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def compute(op, a, b):
    if op == "+":
        if a is None:
            return copy.deepcopy(b)
        if b is None:
            return copy.deepcopy(a)
        if is_number(a) and is_number(b) or isinstance(a, str) and isinstance(b, str):
            return a + b
        if isinstance(a, list):
            return copy.deepcopy(a) + copy.deepcopy(b if isinstance(b, list) else [b])
        if isinstance(a, dict) and isinstance(b, dict):
            out = copy.deepcopy(a)
            out.update(copy.deepcopy(b))
            return out
        raise YqError("%s cannot be added to a %s" % (type_name(b), type_name(a)))
    if op == "-":
        if isinstance(a, list):
            drop = b if isinstance(b, list) else [b]
            return [copy.deepcopy(x) for x in a if x not in drop]
        if is_number(a) and is_number(b):
            return a - b
        raise YqError("%s cannot be subtracted from %s" % (type_name(b), type_name(a)))
    if op == "*":
        return deep_merge(a, b)
    if op in ("/", "%"):
        if not (is_number(a) and is_number(b)):
            raise YqError("%s cannot be divided by %s" % (type_name(a), type_name(b)))
        if b == 0:
            raise YqError("division by zero")
        if op == "%":
            return a % b
        return a // b if isinstance(a, int) and isinstance(b, int) and a % b == 0 else a / b
    if op == "//":
        return a if truthy(a) else b
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    try:
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    except TypeError:
        raise YqError("%s cannot be compared with %s" % (type_name(a), type_name(b)))


class Doc:
    """One document being evaluated; candidates are (value, path) with path None for values
    that are not part of the document."""

    def __init__(self, value):
        self.root = value

    def get(self, path):
        v = self.root
        for key in path:
            if isinstance(v, dict):
                v = v.get(key)
            elif isinstance(v, list) and isinstance(key, int) and -len(v) <= key < len(v):
                v = v[key]
            else:
                return None
        return v

    def set(self, path, value):
        if not path:
            self.root = value
            return
        holder = self.container(path[:-1], path[-1])
        key = path[-1]
        if isinstance(holder, dict):
            holder[key] = value
        else:
            if key < 0:
                key += len(holder)
            holder.extend([None] * (key + 1 - len(holder)))
            holder[key] = value

    def container(self, path, key):
        """The dict or list at PATH, created (and attached) when it is null."""
        current = self.get(path)
        if current is None:
            current = [] if isinstance(key, int) else {}
            self.set(path, current)
        if isinstance(key, int) and not isinstance(current, list):
            raise YqError("cannot index %s with an integer" % type_name(current))
        if isinstance(key, str) and not isinstance(current, dict):
            raise YqError("cannot index %s with %s" % (type_name(current), json.dumps(key)))
        return current

    def delete(self, path):
        if not path:
            self.root = None
            return
        holder = self.get(path[:-1])
        key = path[-1]
        if isinstance(holder, dict):
            holder.pop(key, None)
        elif isinstance(holder, list) and isinstance(key, int) and -len(holder) <= key < len(holder):
            del holder[key]

    def refresh(self, c):
        return (self.get(c[1]), c[1]) if c[1] is not None else c

    def ev(self, ast, ctx):
        kind = ast[0]
        if kind == "identity":
            return ctx
        if kind == "literal":
            return [(ast[1], None) for _ in ctx]
        if kind == "pipe":
            return self.ev(ast[2], self.ev(ast[1], ctx))
        if kind == "comma":
            return [r for c in ctx for r in self.ev(ast[1], [c]) + self.ev(ast[2], [c])]
        if kind == "field":
            return [r for c in self.ev(ast[1], ctx) for r in self.child(c, ast[2], ast[3])]
        if kind == "index":
            out = []
            for c in ctx:
                for target in self.ev(ast[1], [c]):
                    for index in self.ev(ast[2], [c]):
                        out.extend(self.child(target, index[0], ast[3]))
            return out
        if kind == "iterate":
            out = []
            for c in self.ev(ast[1], ctx):
                v, path = c
                if isinstance(v, dict):
                    keys = list(v.keys())
                elif isinstance(v, list):
                    keys = list(range(len(v)))
                elif ast[2] or v is None:
                    continue
                else:
                    raise YqError("cannot iterate over %s" % type_name(v))
                out.extend((v[k], None if path is None else path + (k,)) for k in keys)
            return out
        if kind == "array":
            return [([copy.deepcopy(r[0]) for r in self.ev(ast[1], [c])] if ast[1] else [], None)
                    for c in ctx]
        if kind == "object":
            return [r for c in ctx for r in self.build_object(ast[1], c)]
        if kind == "binary":
            return self.binary(ast[1], ast[2], ast[3], ctx)
        if kind == "assign":
            return self.assign(ast[1], ast[2], ast[3], ctx)
        if kind == "if":
            out = []
            for c in ctx:
                for cond in self.ev(ast[1], [c]):
                    if truthy(cond[0]):
                        out.extend(self.ev(ast[2], [c]))
                    elif ast[3] is not None:
                        out.extend(self.ev(ast[3], [c]))
                    else:
                        out.append(c)
            return out
        return self.call(ast[1], ast[2], ctx)

    def child(self, c, key, optional):
        v, path = c
        sub = None if path is None else path + (key,)
        if isinstance(key, str):
            if isinstance(v, dict) or v is None:
                return [(v.get(key) if v else None, sub)]
        elif isinstance(key, int) and not isinstance(key, bool):
            if isinstance(v, list):
                return [(v[key] if -len(v) <= key < len(v) else None, sub)]
            if v is None:
                return [(None, sub)]
        if optional:
            return []
        raise YqError("cannot index %s with %s" % (type_name(v), json.dumps(key)))

    def build_object(self, entries, c):
        results = [{}]
        for key_ast, value_ast in entries:
            keys = [k[0] for k in self.ev(key_ast, [c])]
            values = [copy.deepcopy(v[0]) for v in self.ev(value_ast, [c])]
            grown = []
            for partial in results:
                for k in keys:
                    if not isinstance(k, str):
                        raise YqError("object keys must be strings, got %s" % type_name(k))
                    for v in values:
                        item = dict(partial)
                        item[k] = v
                        grown.append(item)
            results = grown
        return [(r, None) for r in results]

    def binary(self, op, left, right, ctx):
        out = []
        for c in ctx:
            if op in ("and", "or"):
                for lv in self.ev(left, [c]):
                    if op == "and" and not truthy(lv[0]) or op == "or" and truthy(lv[0]):
                        out.append((op == "or", None))
                        continue
                    out.extend((truthy(rv[0]), None) for rv in self.ev(right, [c]))
                continue
            if op == "//":
                found = [lv for lv in self.ev(left, [c]) if truthy(lv[0])]
                out.extend(found or self.ev(right, [c]))
                continue
            for rv in self.ev(right, [c]):
                for lv in self.ev(left, [c]):
                    out.append((compute(op, lv[0], rv[0]), None))
        return out

    def assign(self, op, left, right, ctx):
        for c in ctx:
            if op == "|=":
                for target in self.ev(left, [c]):
                    self.require_path(target)
                    result = self.ev(right, [self.refresh(target)])
                    if result:
                        self.set(target[1], copy.deepcopy(result[0][0]))
                continue
            # `=` and the compound forms evaluate the right side against the context, once.
            rhs = self.ev(right, [c])
            if not rhs:
                continue
            value = rhs[0][0]
            for target in self.ev(left, [c]):
                self.require_path(target)
                current = self.get(target[1])
                if op == "=":
                    new = copy.deepcopy(value)
                elif op == "//=":
                    new = copy.deepcopy(current if truthy(current) else value)
                else:
                    new = compute(op[:-1], current, value)
                self.set(target[1], new)
        return [self.refresh(c) for c in ctx]

    @staticmethod
    def require_path(target):
        if target[1] is None:
            raise YqError("cannot assign to a value that is not part of the document")

    def call(self, name, args, ctx):
        expected = 1 if name in ("del", "select", "has") else 0
        if len(args) != expected:
            raise YqError("%s takes %d argument(s), got %d" % (name, expected, len(args)))
        out = []
        for c in ctx:
            v = c[0]
            if name == "del":
                for target in self.ev(args[0], [c]):
                    if target[1] is not None:
                        self.delete(target[1])
                out.append(self.refresh(c))
            elif name == "select":
                if any(truthy(r[0]) for r in self.ev(args[0], [c])):
                    out.append(c)
            elif name == "has":
                for k in self.ev(args[0], [c]):
                    key = k[0]
                    if isinstance(v, dict):
                        out.append((key in v, None))
                    elif isinstance(v, list) and is_number(key):
                        out.append((0 <= key < len(v), None))
                    else:
                        out.append((False, None))
            elif name == "keys":
                if not isinstance(v, (dict, list)):
                    raise YqError("keys can only be applied to maps and arrays, got %s" % type_name(v))
                out.append((list(v.keys()) if isinstance(v, dict) else list(range(len(v))), None))
            elif name == "length":
                if v is None:
                    out.append((0, None))
                elif isinstance(v, (str, list, dict)):
                    out.append((len(v), None))
                else:
                    raise YqError("length is not defined for %s" % type_name(v))
            else:
                out.append((not truthy(v), None))
        return out


def evaluate(expression, documents):
    """The result values of EXPRESSION over each document, in order."""
    ast = Parser(expression).parse()
    results = []
    for value in documents:
        doc = Doc(value)
        results.extend(r[0] for r in doc.ev(ast, [(doc.root, ())]))
    return results


def pyyaml():
    try:
        import yaml
    except ImportError:
        raise YqError("YAML files need PyYAML (python3-yaml) or yq in the guest")
    return yaml


def load(text, fmt):
    if fmt == "json":
        return [json.loads(text)] if text.strip() else [None]
    docs = list(pyyaml().safe_load_all(text))
    return docs or [None]


def dump(values, fmt):
    if fmt == "json":
        return "".join(json.dumps(v, indent=2, ensure_ascii=False) + "\n" for v in values)
    parts = [pyyaml().safe_dump(v, default_flow_style=False, sort_keys=False, allow_unicode=True)
             for v in values]
    # A scalar document ends with PyYAML's explicit end marker; yq prints the bare value.
    parts = [p[:-len("...\n")] if p.endswith("\n...\n") else p for p in parts]
    return "---\n".join(parts)


def main(argv):
    opts = {"inplace": False, "null": False, "expr": None, "in": "yaml", "out": None}
    files = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a in ("-i", "--inplace"):
            opts["inplace"] = True
        elif a in ("-n", "--null-input"):
            opts["null"] = True
        elif a == "--from-file":
            with open(args.pop(0), encoding="utf-8") as f:
                opts["expr"] = f.read()
        elif a in ("-p", "--input-format"):
            opts["in"] = args.pop(0)
        elif a in ("-o", "--output-format"):
            opts["out"] = args.pop(0)
        elif opts["expr"] is None:
            opts["expr"] = a
        else:
            files.append(a)
    out_fmt = opts["out"] or opts["in"]
    for fmt in (opts["in"], out_fmt):
        if fmt not in ("yaml", "json"):
            raise YqError("the format %s needs yq in the guest; lima-yq knows yaml and json" % fmt)
    expression = opts["expr"] or "."
    if opts["null"]:
        sys.stdout.write(dump(evaluate(expression, [None]), out_fmt))
        return
    if opts["inplace"] and len(files) != 1:
        raise YqError("--inplace needs exactly one file")
    if not files:
        text = sys.stdin.read()
    else:
        with open(files[0], encoding="utf-8") as f:
            text = f.read()
    output = dump(evaluate(expression, load(text, opts["in"])), out_fmt)
    if not opts["inplace"]:
        sys.stdout.write(output)
        return
    tmp = files[0] + ".lima-yq"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(output)
    st = os.stat(files[0])
    os.chmod(tmp, st.st_mode & 0o7777)
    os.chown(tmp, st.st_uid, st.st_gid)
    os.replace(tmp, files[0])


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (YqError, ValueError, OSError) as err:
        sys.stderr.write("Error: %s\n" % err)
        sys.exit(1)
