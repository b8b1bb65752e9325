/** Log colours: on a terminal as logrus colours them, never with NO_COLOR or off a terminal. */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { limactlExpect, tempLimaHome } from "./helpers.ts";

const limaHome = await tempLimaHome();
const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const hasScript = await new Deno.Command("script", { args: ["--version"] })
  .output().then((o) => o.success, () => false);

/** Runs limactl ARGS on a pseudo-terminal (util-linux `script`); returns what it printed. */
async function onTerminal(
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const quoted = [Deno.execPath(), "run", "-A", MAIN, ...args].map((a) =>
    `'${a.replaceAll("'", `'\\''`)}'`
  ).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qec", quoted, "/dev/null"],
    env: { LIMA_HOME: limaHome, ...env },
    stdin: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).replace(/\[\d{4}\]/g, "[0000]");
}

const ESC = "\x1b";

Deno.test({
  name: "on a terminal WARN is yellow and FATA red; NO_COLOR turns colours off",
  ignore: !hasScript || Deno.build.os === "windows",
  fn: async () => {
    const warn = await onTerminal(["template", "list"]);
    assert.ok(
      warn.includes(
        `${ESC}[33mWARN${ESC}[0m[0000] \`limactl template\` is experimental`,
      ),
      warn,
    );
    const fatal = await onTerminal(["validate", "/nonexistent.yaml"]);
    assert.ok(
      fatal.includes(`${ESC}[31mFATA${ESC}[0m[0000] failed to validate`),
      fatal,
    );
    const plain = await onTerminal(["template", "list"], { NO_COLOR: "1" });
    assert.ok(
      plain.includes("WARN[0000] `limactl template` is experimental"),
      plain,
    );
    assert.ok(!plain.includes(ESC), plain);
  },
});

Deno.test("off a terminal log lines have no colours", async () => {
  const { stderr } = await limactlExpect(0, ["template", "list"], { limaHome });
  assert.match(
    stderr,
    /level=warning msg="`limactl template` is experimental"/,
  );
  assert.ok(!stderr.includes(ESC), stderr);
});
