import assert from "node:assert/strict";
import {
  roffArgument,
  roffBold,
  roffLiteral,
  roffParagraphs,
  roffText,
} from "./roff.ts";

/** What groff prints for BODY as a man page's (plain text), failing on any groff warning. */
async function render(body: string): Promise<string> {
  const groff = new Deno.Command("groff", {
    args: ["-man", "-Tutf8", "-ww", "-P", "-cbou"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = groff.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(`.TH "T" "1"\n.nh\n.ad l\n.SH NAME\n${body}\n`),
  );
  await writer.close();
  const { stdout, stderr } = await groff.output();
  assert.equal(new TextDecoder().decode(stderr), "", "groff warns");
  return new TextDecoder().decode(stdout);
}

Deno.test("roffText escapes what troff would read as escapes, hyphens and requests", () => {
  assert.equal(roffText("C:\\lima --tty"), "C:\\elima \\-\\-tty");
  assert.equal(
    roffText(".cpus = 2\n'quoted'\nnot .first"),
    "\\&.cpus = 2\n\\&'quoted'\nnot .first",
  );
});

Deno.test("roff text prints as written", async () => {
  const text = await render(
    [
      roffText(".cpus = 2 | C:\\lima"),
      ".PP",
      roffText("'quoted' --yes -y"),
    ].join("\n"),
  );
  assert.match(text, /\n {7}\.cpus = 2 \| C:\\lima\n/);
  assert.match(text, /\n {7}'quoted' --yes -y\n/);
});

Deno.test("roffArgument quotes one macro argument, quotes inside included", () => {
  assert.equal(roffArgument('say "hi"\nthere'), '"say \\(dqhi\\(dq there"');
  assert.equal(roffArgument(""), '""');
});

Deno.test("roffBold sets escaped text in bold", () => {
  assert.equal(roffBold("--log-level"), "\\fB\\-\\-log\\-level\\fR");
});

Deno.test("roffParagraphs separates paragraphs with .PP and keeps no blank line", () => {
  assert.equal(
    roffParagraphs("One\nline.\n\n\n.Two\n"),
    "One\nline.\n.PP\n\\&.Two",
  );
});

Deno.test("roffLiteral keeps every line of an example, blank ones as .sp", async () => {
  const literal = roffLiteral("$ limactl create\n\n  $ limactl start\n");
  assert.equal(
    literal,
    ".RS\n.nf\n$ limactl create\n.sp\n  $ limactl start\n.fi\n.RE",
  );
  assert.match(
    await render(literal),
    /\n {14}\$ limactl create\n\n {16}\$ limactl start\n/,
  );
});
