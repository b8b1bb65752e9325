/**
 * Sizes in lima.yaml (`memory`, `disk`, `9p.msize`) use binary units whatever their
 * spelling (go-units' `RAMInBytes`, as in Lima's `pkg/limayaml/validate.go`): `4G`, `4GB`,
 * `4gib` and `4GiB` are all 4×1024³ bytes.
 */

const UNITS: Record<string, number> = {
  "": 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

const SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp]?)i?b?$/i;

/** Bytes of a size such as `4GiB`, `512M`, `1.5g` or `1048576`; throws on anything else. */
export function parseSize(text: string): number {
  const match = SIZE.exec(text.trim());
  if (!match) throw new Error(`invalid size: ${JSON.stringify(text)}`);
  const bytes = Math.trunc(Number(match[1]) * UNITS[match[2].toLowerCase()]);
  if (!Number.isSafeInteger(bytes)) {
    throw new Error(`size is too large: ${JSON.stringify(text)}`);
  }
  return bytes;
}

const SUFFIXES = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** Formats bytes like Lima does: up to 4 significant digits and a binary unit (`3.812GiB`). */
export function formatSize(bytes: number): string {
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < SUFFIXES.length - 1) {
    value /= 1024;
    i++;
  }
  return formatSignificant(value, 4) + SUFFIXES[i];
}

/**
 * `%.{digits}g` for values below 10^digits, rounding the exact binary value half to even
 * (as Go does), so 3.8125 becomes "3.812" rather than JavaScript's "3.813".
 */
function formatSignificant(value: number, digits: number): string {
  if (value === 0) return "0";
  const { mantissa, pointAt } = exactDecimal(value);
  let kept = BigInt(mantissa.slice(0, digits).padEnd(digits, "0"));
  const rest = mantissa.slice(digits);
  if (rest.length > 0) {
    const first = rest[0];
    const tail = /[1-9]/.test(rest.slice(1));
    if (first > "5" || (first === "5" && (tail || kept % 2n === 1n))) {
      kept += 1n;
    }
  }
  let text = kept.toString();
  let point = pointAt;
  if (text.length > digits) {
    // Rounding carried into a new leading digit (9.9995 → 10.00).
    text = text.slice(0, digits);
    point++;
  }
  let whole: string;
  let fraction: string;
  if (point <= 0) {
    whole = "0";
    fraction = "0".repeat(-point) + text;
  } else if (point >= text.length) {
    whole = text + "0".repeat(point - text.length);
    fraction = "";
  } else {
    whole = text.slice(0, point);
    fraction = text.slice(point);
  }
  fraction = fraction.replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

/** The exact decimal digits of a positive finite double and where the decimal point goes. */
function exactDecimal(value: number): { mantissa: string; pointAt: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let significand = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let exponent: number;
  if (biased === 0) {
    exponent = -1074;
  } else {
    significand |= 1n << 52n;
    exponent = biased - 1075;
  }
  if (exponent >= 0) {
    const digits = (significand << BigInt(exponent)).toString();
    return { mantissa: digits.replace(/0+$/, ""), pointAt: digits.length };
  }
  // value = significand / 2^k = significand * 5^k / 10^k
  const k = -exponent;
  const digits = (significand * 5n ** BigInt(k)).toString();
  const trimmed = digits.replace(/^0+/, "");
  return { mantissa: trimmed.replace(/0+$/, ""), pointAt: trimmed.length - k };
}
