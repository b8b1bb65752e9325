/** A non-negative decimal number: 0.digits × 10^dp, no leading zeros in `digits`. */
interface Decimal {
  digits: string;
  dp: number;
}

// The exact decimal digits of a finite, non-negative double.
function exactDecimal(value: number): Decimal {
  if (value === 0) return { digits: "", dp: 0 };
  if (value >= 1e21) {
    const digits = BigInt(value).toString();
    return { digits, dp: digits.length };
  }
  // toFixed works on the exact binary value, so up to 100 digits are exact.
  const [whole, fraction] = value.toFixed(100).split(".");
  let digits = (whole === "0" ? "" : whole) + fraction;
  let dp = whole === "0" ? 0 : whole.length;
  const leading = /^0*/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(leading).replace(/0+$/, "");
  dp -= leading;
  if (digits === "") {
    // Below 1e-100: fall back to the engine's exponent form (ties cannot occur there).
    const [mantissa, exponent] = value.toExponential(40).split("e");
    return {
      digits: mantissa.replace(".", "").replace(/0+$/, ""),
      dp: Number(exponent) + 1,
    };
  }
  return { digits, dp };
}

// Rounds to `keep` leading digits, ties to even, as Go's strconv does.
function round(d: Decimal, keep: number): Decimal {
  if (keep >= d.digits.length) return d;
  if (keep < 0) return { digits: "", dp: 0 };
  const next = d.digits[keep];
  const rest = d.digits.slice(keep + 1);
  const previous = keep > 0 ? Number(d.digits[keep - 1]) : 0;
  const up = next > "5" ||
    (next === "5" && (/[1-9]/.test(rest) || previous % 2 === 1));
  let digits = d.digits.slice(0, keep);
  let dp = d.dp;
  if (up) {
    const incremented = (BigInt(`1${digits || "0"}`) + 1n).toString();
    if (digits === "") {
      digits = "1";
      dp++;
    } else if (incremented.startsWith("2")) {
      digits = `1${incremented.slice(1)}`;
      dp++;
    } else {
      digits = incremented.slice(1);
    }
  }
  digits = digits.replace(/0+$/, "");
  return digits === "" ? { digits: "", dp: 0 } : { digits, dp };
}

function shortest(value: number): Decimal {
  if (value === 0) return { digits: "", dp: 0 };
  const [mantissa, exponent] = value.toExponential().split("e");
  return {
    digits: mantissa.replace(".", "").replace(/0+$/, ""),
    dp: Number(exponent) + 1,
  };
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.digits.length ? d.digits[i] : "0";
}

function eForm(d: Decimal, precision: number): string {
  const exp = d.digits === "" ? 0 : d.dp - 1;
  let fraction = "";
  for (let i = 1; i <= precision; i++) fraction += digitAt(d, i);
  const expText = String(Math.abs(exp)).padStart(2, "0");
  return `${digitAt(d, 0)}${fraction ? `.${fraction}` : ""}e${
    exp < 0 ? "-" : "+"
  }${expText}`;
}

function fForm(d: Decimal, precision: number): string {
  let whole = "";
  for (let i = 0; i < d.dp; i++) whole += digitAt(d, i);
  let fraction = "";
  for (let i = 0; i < precision; i++) fraction += digitAt(d, d.dp + i);
  return `${whole || "0"}${fraction ? `.${fraction}` : ""}`;
}

/**
 * Formats a finite, non-negative number like Go's strconv.FormatFloat with format
 * 'e', 'f' or 'g'; an undefined precision means the shortest exact representation.
 */
export function formatFloatDigits(
  value: number,
  format: "e" | "f" | "g",
  precision: number | undefined,
): string {
  if (format === "e") {
    const p = precision ?? 6;
    return eForm(round(exactDecimal(value), p + 1), p);
  }
  if (format === "f") {
    const p = precision ?? 6;
    const exact = exactDecimal(value);
    return fForm(round(exact, exact.dp + p), p);
  }
  const d = precision === undefined
    ? shortest(value)
    : round(exactDecimal(value), Math.max(precision, 1));
  const nd = Math.max(d.digits.length, 1);
  let prec = precision === undefined ? nd : Math.max(precision, 1);
  let eprec = prec;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  // Shortest output uses the exponent form from 1e+06 on, like Go's %v.
  if (precision === undefined) eprec = 6;
  const exp = d.digits === "" ? 0 : d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd;
    return eForm(d, prec - 1);
  }
  if (prec > d.dp) prec = nd;
  return fForm(d, Math.max(prec - d.dp, 0));
}
