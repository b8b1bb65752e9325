import assert from "node:assert/strict";
import { formatValue, sprint, sprintf, sprintln } from "./fmt.ts";

Deno.test("%v prints numbers like Go: integers plain, floats in shortest form", () => {
  assert.equal(formatValue(42), "42");
  assert.equal(formatValue(-7), "-7");
  assert.equal(formatValue(4294967296), "4294967296");
  assert.equal(formatValue(1.5), "1.5");
  assert.equal(formatValue(0.1 + 0.2), "0.30000000000000004");
  assert.equal(formatValue(0.00001), "1e-05");
  assert.equal(formatValue(1234567.5), "1.2345675e+06");
  assert.equal(formatValue(123456.5), "123456.5");
  assert.equal(formatValue(10n ** 20n), "100000000000000000000");
  assert.equal(formatValue(Number.POSITIVE_INFINITY), "+Inf");
  assert.equal(formatValue(Number.NaN), "NaN");
});

Deno.test("%v prints nil, booleans, slices, maps and structs", () => {
  assert.equal(formatValue(null), "<nil>");
  assert.equal(formatValue(true), "true");
  assert.equal(formatValue([1, "a", [2]]), "[1 a [2]]");
  assert.equal(formatValue(new Map([["b", 1], ["a", 2]])), "map[a:2 b:1]");
  assert.equal(formatValue({ x: 1, y: "z" }), "{1 z}");
  assert.equal(formatValue(new Error("bad")), "bad");
});

Deno.test("string verbs with width, precision and flags", () => {
  assert.equal(
    sprintf("%s|%5s|%-5s|%.2s|%q|%x|%X|% x", [
      "a",
      "b",
      "c",
      "héllo",
      'say "hi"\n',
      "hi",
      "hi",
      "hi",
    ]),
    'a|    b|c    |hé|"say \\"hi\\"\\n"|6869|6869|68 69',
  );
  assert.equal(sprintf("%q %#q", ["\x01é", "raw"]), '"\\x01é" `raw`');
  assert.equal(sprintf("%05s|%v|%8v|", ["ab", "v", "w"]), "000ab|v|       w|");
});

Deno.test("integer verbs", () => {
  assert.equal(
    sprintf("%d|%5d|%-5d|%05d|%+d|%x|%X|%#x|%o|%#o|%O|%b|%c|%U|%#U|%q", [
      42,
      42,
      42,
      -42,
      42,
      255,
      255,
      255,
      8,
      8,
      8,
      5,
      0x263a,
      0x263a,
      65,
      97,
    ]),
    "42|   42|42   |-0042|+42|ff|FF|0xff|10|010|0o10|101|☺|U+263A|U+0041 'A'|'a'",
  );
  assert.equal(sprintf("%.3d|%8.3d", [7, -7]), "007|    -007");
});

Deno.test("float verbs round half to even like Go", () => {
  assert.equal(
    sprintf("%f|%.2f|%8.3f|%-8.1f|%08.3f|%+.1f", [
      3.14159,
      3.14159,
      2.5,
      2.25,
      -3.14159,
      2,
    ]),
    "3.141590|3.14|   2.500|2.2     |-003.142|+2.0",
  );
  assert.equal(
    sprintf("%.0f %.0f %.0f %.1f", [0.5, 1.5, 2.5, 0.35]),
    "0 2 2 0.3",
  );
  assert.equal(
    sprintf("%e|%.2e|%E|%g|%g|%.3g|%G|%g", [
      1234.5678,
      0.000123,
      1e21,
      0.000012345,
      100000,
      1234.5678,
      1e-10,
      1e6,
    ]),
    "1.234568e+03|1.23e-04|1.000000E+21|1.2345e-05|100000|1.23e+03|1E-10|1e+06",
  );
  assert.equal(sprintf("%.2f", [1e22]), "10000000000000000000000.00");
});

Deno.test("bad and missing arguments are reported inline, as Go does", () => {
  assert.equal(sprintf("%d %s", [1]), "1 %!s(MISSING)");
  assert.equal(sprintf("%d", [1, "x", null]), "1%!(EXTRA string=x, <nil>)");
  assert.equal(
    sprintf("%d|%s|%t|%d", ["x", 5, "y", 1.5]),
    "%!d(string=x)|%!s(int=5)|%!t(string=y)|%!d(float64=1.5)",
  );
  assert.equal(sprintf("%s %v", [null, null]), "%!s(<nil>) <nil>");
  assert.equal(sprintf("100%% %", []), "100% %!(NOVERB)");
  assert.equal(
    sprintf("%*d|%-*d|%.*f", [4, 1, 4, 2, 1, 3.14159]),
    "   1|2   |3.1",
  );
  assert.equal(
    sprintf("%T %T %T %T", [1, 1.5, "s", [1]]),
    "int float64 string []interface {}",
  );
});

Deno.test("Sprint adds spaces only between non-strings; Sprintln always", () => {
  assert.equal(sprint([1, 2, "a", "b", 3, true]), "1 2ab3 true");
  assert.equal(sprintln(["a", 1, "b"]), "a 1 b\n");
  assert.equal(sprint([]), "");
});
