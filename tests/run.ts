/**
 * Runs the whole test suite with `deno test` and ends the output with the plain
 * summary line `N passed, N failed[, N skipped]` that CI reads.
 */
const args = ["test", "-A", ...Deno.args];
const child = new Deno.Command(Deno.execPath(), {
  args,
  stdout: "piped",
  stderr: "inherit",
}).spawn();

let tail = "";
const decoder = new TextDecoder();
for await (const chunk of child.stdout) {
  await Deno.stdout.write(chunk);
  tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4096);
}
const { code } = await child.status;

// Deno's own summary: "ok | 12 passed (3 steps) | 0 failed | 1 ignored (2s)".
// deno-lint-ignore no-control-regex
const plain = tail.replace(/\x1b\[[0-9;]*m/g, "");
const summary = [...plain.matchAll(/^(?:ok|FAILED) \| (.*)$/gm)].pop()?.[1] ??
  "";
const count = (word: string) =>
  Number(new RegExp(`(\\d+) ${word}`).exec(summary)?.[1] ?? 0);
const passed = count("passed");
const failed = count("failed") + (code !== 0 && count("failed") === 0 ? 1 : 0);
const ignored = count("ignored");
console.log(
  `${passed} passed, ${failed} failed${ignored ? `, ${ignored} skipped` : ""}`,
);
Deno.exit(code);
