import { formatFloatDigits } from "./float.ts";
import { kindOf, sortedEntries, typeName } from "./value.ts";

/** Flags of one `%` directive. */
interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  precision?: number;
}

const plainSpec: Spec = {
  minus: false,
  plus: false,
  sharp: false,
  space: false,
  zero: false,
};

const utf8 = new TextEncoder();

/** Formats a value like Go's `fmt.Sprint` of a single operand (`%v`). */
export function formatValue(value: unknown): string {
  return formatArg(value, "v", plainSpec);
}

/** Go's `fmt.Sprint`: spaces are added between operands when neither is a string. */
export function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== "string" && typeof args[i - 1] !== "string") {
      out += " ";
    }
    out += formatValue(arg);
  });
  return out;
}

/** Go's `fmt.Sprintln`: operands separated by spaces, followed by a newline. */
export function sprintln(args: unknown[]): string {
  return args.map(formatValue).join(" ") + "\n";
}

/** Go's `fmt.Sprintf` for the common verbs, flags, width and precision. */
export function sprintf(format: string, args: unknown[]): string {
  let out = "";
  let argIndex = 0;
  let i = 0;
  while (i < format.length) {
    const percent = format.indexOf("%", i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    i = percent + 1;
    const spec: Spec = { ...plainSpec };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === "-") spec.minus = true;
      else if (c === "+") spec.plus = true;
      else if (c === "#") spec.sharp = true;
      else if (c === " ") spec.space = true;
      else if (c === "0") spec.zero = true;
      else break;
    }
    let bad = "";
    const readNumber = (): number | undefined => {
      if (format[i] === "*") {
        i++;
        const arg = args[argIndex++];
        return kindOf(arg) === "int" ? Number(arg) : Number.NaN;
      }
      const digits = /^[0-9]*/.exec(format.slice(i))?.[0] ?? "";
      i += digits.length;
      return digits === "" ? undefined : Number(digits);
    };
    spec.width = readNumber();
    if (Number.isNaN(spec.width)) {
      bad += "%!(BADWIDTH)";
      spec.width = undefined;
    } else if (spec.width !== undefined && spec.width < 0) {
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (format[i] === ".") {
      i++;
      spec.precision = readNumber() ?? 0;
      if (Number.isNaN(spec.precision) || spec.precision < 0) {
        bad += "%!(BADPREC)";
        spec.precision = undefined;
      }
    }
    out += bad;
    if (i >= format.length) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argIndex++], verb, spec);
  }
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((a) =>
      a === null || a === undefined
        ? "<nil>"
        : `${typeName(a)}=${formatValue(a)}`
    );
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}

function badVerb(value: unknown, verb: string): string {
  if (value === null || value === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(value)}=${formatValue(value)})`;
}

function pad(text: string, spec: Spec, zeroAllowed = true): string {
  const width = spec.width ?? 0;
  const length = [...text].length;
  if (length >= width) return text;
  const fill = width - length;
  if (spec.minus) return text + " ".repeat(fill);
  if (spec.zero && zeroAllowed) {
    // Zeros go after the sign (and base prefix) of a number.
    const sign = /^([+-]|[+-]?0[xXbBoO](?=[0-9a-fA-F]))?/.exec(text)?.[0] ?? "";
    return sign + "0".repeat(fill) + text.slice(sign.length);
  }
  return " ".repeat(fill) + text;
}

// A value that describes itself, like a Go Stringer or error.
function stringerText(value: unknown): string | undefined {
  if (value instanceof Error) return value.message;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const method = (value as { String?: unknown }).String;
    if (typeof method === "function") return String(method.call(value));
  }
  return undefined;
}

function formatArg(value: unknown, verb: string, spec: Spec): string {
  if (verb === "T") return pad(typeName(value), spec, false);
  const kind = kindOf(value);
  if (kind === "invalid" || kind === "nil") {
    return verb === "v" ? pad("<nil>", spec, false) : badVerb(value, verb);
  }
  const described = stringerText(value);
  if (described !== undefined && "vsxXq".includes(verb)) {
    return formatString(described, verb, spec);
  }
  switch (kind) {
    case "bool":
      return verb === "v" || verb === "t"
        ? pad(String(value), spec, false)
        : badVerb(value, verb);
    case "int":
      return formatInteger(value as number | bigint, verb, spec);
    case "float":
      return formatFloat(value as number, verb, spec);
    case "string":
      return formatString(value as string, verb, spec);
    case "slice": {
      const items = (value as unknown[]).map((v) => formatArg(v, verb, spec));
      return `[${items.join(" ")}]`;
    }
    case "map": {
      const items = sortedEntries(value as Map<unknown, unknown>).map((
        [k, v],
      ) => `${formatArg(k, verb, spec)}:${formatArg(v, verb, spec)}`);
      return `map[${items.join(" ")}]`;
    }
    case "struct": {
      const items = Object.entries(value as object).filter(([, v]) =>
        typeof v !== "function"
      )
        .map(([k, v]) => (spec.plus ? `${k}:` : "") + formatArg(v, verb, spec));
      return `{${items.join(" ")}}`;
    }
    case "func":
      return verb === "v" ? pad("func", spec, false) : badVerb(value, verb);
  }
}

function formatString(text: string, verb: string, spec: Spec): string {
  const truncated = spec.precision === undefined
    ? text
    : [...text].slice(0, spec.precision).join("");
  switch (verb) {
    case "v":
      return pad(spec.sharp ? quote(truncated, '"') : truncated, spec);
    case "s":
      return pad(truncated, spec);
    case "q":
      return pad(
        spec.sharp && /^[^`\p{C}]*$/u.test(truncated)
          ? `\`${truncated}\``
          : quote(truncated, '"'),
        spec,
      );
    case "x":
    case "X": {
      const hex = [...utf8.encode(truncated)].map((b) =>
        b.toString(16).padStart(2, "0")
      );
      const prefix = spec.sharp ? "0x" : "";
      const out = spec.space
        ? hex.map((h) => prefix + h).join(" ")
        : prefix + hex.join("");
      return pad(verb === "X" ? out.toUpperCase() : out, spec);
    }
    default:
      return badVerb(text, verb);
  }
}

function withSign(digits: string, negative: boolean, spec: Spec): string {
  if (negative) return `-${digits}`;
  if (spec.plus) return `+${digits}`;
  if (spec.space) return ` ${digits}`;
  return digits;
}

function formatInteger(
  value: number | bigint,
  verb: string,
  spec: Spec,
): string {
  const big = BigInt(value);
  const negative = big < 0n;
  const magnitude = negative ? -big : big;
  const bases: Record<string, number> = {
    b: 2,
    o: 8,
    O: 8,
    d: 10,
    v: 10,
    x: 16,
    X: 16,
  };
  if (verb in bases) {
    let digits = magnitude.toString(bases[verb]);
    if (verb === "X") digits = digits.toUpperCase();
    if (spec.precision !== undefined) {
      digits = spec.precision === 0 && magnitude === 0n
        ? ""
        : digits.padStart(spec.precision, "0");
    }
    let prefix = "";
    if (verb === "O") prefix = "0o";
    else if (spec.sharp) {
      prefix = { b: "0b", o: "0", x: "0x", X: "0X" }[verb] ?? "";
      if (verb === "o" && digits.startsWith("0")) prefix = "";
    }
    return pad(
      withSign(prefix + digits, negative, spec),
      spec,
      spec.precision === undefined,
    );
  }
  const code = Number(big);
  switch (verb) {
    case "c":
      return pad(String.fromCodePoint(validRune(code)), spec, false);
    case "q":
      return pad(
        quote(String.fromCodePoint(validRune(code)), "'"),
        spec,
        false,
      );
    case "U": {
      const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
      const rune = String.fromCodePoint(validRune(code));
      return pad(
        spec.sharp && isPrint(rune) ? `${hex} '${rune}'` : hex,
        spec,
        false,
      );
    }
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G":
      // JS cannot tell 1.0 from 1, so float verbs accept integral numbers.
      return formatFloat(Number(value), verb, spec);
    default:
      return badVerb(value, verb);
  }
}

function validRune(code: number): number {
  return code >= 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
    ? code
    : 0xfffd;
}

function formatFloat(value: number, verb: string, spec: Spec): string {
  if (!"vbeEfFgG".includes(verb) || verb === "b") return badVerb(value, verb);
  if (Number.isNaN(value)) {
    return pad(spec.plus ? "+NaN" : spec.space ? " NaN" : "NaN", spec, false);
  }
  if (!Number.isFinite(value)) {
    const text = value < 0
      ? "-Inf"
      : spec.plus || verb === "v"
      ? "+Inf"
      : spec.space
      ? " Inf"
      : "Inf";
    return pad(text, spec, false);
  }
  const negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  const format = verb === "e" || verb === "E"
    ? "e"
    : verb === "f" || verb === "F"
    ? "f"
    : "g";
  let text = formatFloatDigits(magnitude, format, spec.precision);
  if (verb === "E" || verb === "G") text = text.toUpperCase();
  return pad(withSign(text, negative, spec), spec);
}

/** Whether Go's unicode.IsPrint would accept the character. */
function isPrint(c: string): boolean {
  return c === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(c);
}

const namedEscapes: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

/** Go's strconv.Quote (quoteChar `"`) and QuoteRune (quoteChar `'`). */
export function quote(text: string, quoteChar: '"' | "'"): string {
  let out = quoteChar;
  for (const c of text) {
    if (c === quoteChar || c === "\\") out += `\\${c}`;
    else if (isPrint(c)) out += c;
    else if (c in namedEscapes) out += namedEscapes[c];
    else {
      const code = c.codePointAt(0) ?? 0;
      if (code < 0x80) out += `\\x${code.toString(16).padStart(2, "0")}`;
      else if (code < 0x10000) {
        out += `\\u${code.toString(16).padStart(4, "0")}`;
      } else out += `\\U${code.toString(16).padStart(8, "0")}`;
    }
  }
  return out + quoteChar;
}
